"""The forecast on hand-computed cases: pace, days left, projection and the extra pace needed."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from handlers.services.forecast import Outlook, days_left, pace_window, round_up


def outlook(count: int, target: int, recent: int, *, window: int = 7, left: int = 20) -> Outlook:
    return Outlook("U1", "Unit", count, target, recent, window, left)


def test_pace_is_the_last_seven_days_divided_by_seven() -> None:
    assert outlook(40, 100, 14).pace == 2


def test_projection_adds_the_pace_over_the_days_left() -> None:
    o = outlook(40, 100, 14, left=20)  # 40 + 2 × 20 = 80 of 100
    assert o.projected == 80 and o.projected_ratio == 0.8 and o.will_miss


def test_extra_pace_is_what_closes_the_gap_in_the_days_left() -> None:
    o = outlook(40, 100, 14, left=20)  # needs 60 / 20 = 3 a day, has 2
    assert o.needed_pace == 3 and o.extra_pace == 1


def test_extra_pace_is_rounded_up_to_a_tenth() -> None:
    o = outlook(0, 10, 7, left=3)  # needs 10/3 = 3.33 a day, has 1: 2.33 → 2.4
    assert o.extra_pace == Fraction(12, 5)
    assert round_up(Fraction(3, 10)) == Fraction(3, 10)  # exact tenths stay as they are


def test_a_unit_on_track_needs_no_extra_pace() -> None:
    o = outlook(40, 100, 21, left=20)  # 40 + 3 × 20 = 100
    assert not o.will_miss and o.extra_pace is None and o.projected_ratio == 1.0


def test_a_unit_without_target_is_never_warned() -> None:
    o = outlook(3, 0, 0)
    assert not o.will_miss and o.ratio is None and o.projected_ratio is None


def test_after_the_phase_the_projection_is_the_count() -> None:
    o = outlook(40, 100, 14, left=0)
    assert o.projected == 40 and o.will_miss and o.needed_pace is None and o.extra_pace is None


def test_pace_window_is_shorter_in_the_first_week_of_a_phase() -> None:
    today = date(2026, 11, 24)
    assert pace_window(date(2026, 11, 1), today) == 7
    assert pace_window(date(2026, 11, 21), today) == 3
    assert pace_window(today, today) == 1
    assert outlook(0, 10, 6, window=3).pace == 2


def test_days_left_count_today_and_end_with_the_phase() -> None:
    today = date(2026, 11, 24)
    assert days_left(date(2026, 12, 3), today) == 10
    assert days_left(today, today) == 1
    assert days_left(date(2026, 11, 23), today) == 0

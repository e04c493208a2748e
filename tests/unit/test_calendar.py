"""Quiet hours and holidays (Tết included), and the next allowed moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from handlers.services.calendar import Closed, build_calendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = build_calendar(tz=TZ, quiet_start=time(21), quiet_end=time(7), country="VN",
                     extra=[date(2026, 12, 31)])


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(("moment", "closed"), [
    (local(2026, 11, 25, 8, 0), None),
    (local(2026, 11, 25, 20, 59), None),
    (local(2026, 11, 25, 21, 0), Closed.QUIET_HOURS),
    (local(2026, 11, 26, 6, 59), Closed.QUIET_HOURS),
    (local(2026, 11, 26, 7, 0), None),
    (local(2027, 2, 6, 10, 0), Closed.HOLIDAY),  # Tết Đinh Mùi
    (local(2026, 9, 2, 10, 0), Closed.HOLIDAY),  # National Day
    (local(2026, 12, 31, 10, 0), Closed.HOLIDAY),  # an extra day from config
])
def test_closed_tells_quiet_hours_and_holidays(moment: datetime, closed: Closed | None) -> None:
    assert CAL.closed(moment) == closed


def test_the_holiday_name_is_vietnamese() -> None:
    assert CAL.holiday(date(2027, 2, 6)) == "Tết Nguyên Đán"


def test_next_open_after_quiet_hours_is_seven_in_the_morning() -> None:
    assert CAL.next_open(local(2026, 11, 25, 22, 15)) == local(2026, 11, 26, 7, 0)
    assert CAL.next_open(local(2026, 11, 26, 5, 0)) == local(2026, 11, 26, 7, 0)


def test_next_open_skips_the_whole_of_tet() -> None:
    # Tết 2027: 04/02 to 10/02 are days off; the first allowed moment is 11/02 at 07:00.
    assert CAL.next_open(local(2027, 2, 3, 22, 0)) == local(2027, 2, 11, 7, 0)


def test_next_open_keeps_the_time_zone_it_was_given() -> None:
    moment = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert CAL.next_open(moment) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def test_quiet_hours_that_do_not_wrap_midnight() -> None:
    cal = build_calendar(tz=TZ, quiet_start=time(12), quiet_end=time(13), country="")
    assert cal.closed(local(2026, 11, 25, 12, 30)) == Closed.QUIET_HOURS
    assert cal.closed(local(2027, 2, 6, 10, 0)) is None  # no holiday country


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError, match="XX"):
        build_calendar(tz=TZ, quiet_start=time(21), quiet_end=time(7), country="XX")

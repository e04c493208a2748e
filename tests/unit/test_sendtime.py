"""When a broadcast goes out, as staff type it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.errors import UserError
from handlers.sendtime import parse_send_time

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi


@pytest.mark.parametrize(("typed", "expected"), [
    ("ngay", None), ("Bây giờ", None), ("0", None),
    ("17:30", datetime(2026, 11, 25, 17, 30, tzinfo=TZ)),
    ("8h", datetime(2026, 11, 26, 8, 0, tzinfo=TZ)),  # 08:00 has passed today: tomorrow
    ("26/11 08:00", datetime(2026, 11, 26, 8, 0, tzinfo=TZ)),
    ("8:00 26/11/2026", datetime(2026, 11, 26, 8, 0, tzinfo=TZ)),
    ("2/1 9h", datetime(2027, 1, 2, 9, 0, tzinfo=TZ)),  # past this year: next year
])
def test_times_people_type(typed: str, expected: datetime | None) -> None:
    assert parse_send_time(typed, now=NOW, tz=TZ) == expected


@pytest.mark.parametrize(("typed", "template"), [
    ("31/2 8:00", "broadcast/bad_time"), ("mai", "broadcast/bad_time"),
    ("25/11/2026 08:00", "broadcast/time_passed"), ("1/6/2027 08:00", "broadcast/time_too_far"),
])
def test_bad_past_and_far_times_are_refused(typed: str, template: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_send_time(typed, now=NOW, tz=TZ)
    assert caught.value.template == template

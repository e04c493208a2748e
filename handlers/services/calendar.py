"""When outreach may go out: not in quiet hours, not on public holidays (Tết included).

Holidays come from the PyPI `holidays` package (names in Vietnamese) plus extra days from config.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

log = logging.getLogger(__name__)

MAX_CLOSED_DAYS = 60
"""A run of closed days longer than this is a configuration mistake; stop looking there."""


class Closed(StrEnum):
    """Why outreach may not go out at some moment."""

    QUIET_HOURS = "quiet_hours"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class Calendar:
    """Quiet hours (local time, may wrap past midnight) and days off, in one time zone."""

    tz: ZoneInfo
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    country: str = "VN"
    extra: frozenset[date] = frozenset()
    _days: holidays.HolidayBase | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days = holidays.country_holidays(self.country, language="vi") if self.country else None
        object.__setattr__(self, "_days", days)

    def holiday(self, day: date) -> str | None:
        """Return the name of the holiday on `day` (local date), or None on a working day."""
        if day in self.extra:
            return "Ngày nghỉ"
        return self._days.get(day) if self._days is not None else None

    def quiet(self, moment: time) -> bool:
        """Tell whether a local time of day falls in quiet hours."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end

    def closed(self, at: datetime) -> Closed | None:
        """Return why nothing may be sent at `at`, or None when it may."""
        local = at.astimezone(self.tz)
        if self.holiday(local.date()) is not None:
            return Closed.HOLIDAY
        if self.quiet(local.time()):
            return Closed.QUIET_HOURS
        return None

    def next_open(self, at: datetime) -> datetime:
        """Return `at` if sending is allowed then, else the first allowed moment after it."""
        local = at.astimezone(self.tz)
        for _ in range(MAX_CLOSED_DAYS * 2):
            if self.holiday(local.date()) is not None:
                local = _at(local.date() + timedelta(days=1), time(0), self.tz)
            elif self.quiet(local.time()):
                day = local.date() if local.time() < self.quiet_end else local.date() + timedelta(days=1)
                local = _at(day, self.quiet_end, self.tz)
            else:
                return local.astimezone(at.tzinfo)
        log.warning("no allowed sending time within %d days of %s", MAX_CLOSED_DAYS, at)
        return at


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tz)


def build_calendar(*, tz: ZoneInfo, quiet_start: time, quiet_end: time, country: str,
                   extra: Iterable[date] = ()) -> Calendar:
    """Build a calendar; an unknown country code raises ValueError."""
    if country and country not in holidays.list_supported_countries():
        raise ValueError(f"unknown holiday country {country!r}")
    return Calendar(tz=tz, quiet_start=quiet_start, quiet_end=quiet_end, country=country,
                    extra=frozenset(extra))

"""Parsing when a broadcast should go out: "ngay", "17:30", "26/11 08:00", "26/11/2026 08:00"."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.errors import UserError
from handlers.textnorm import fold

NOW_WORDS = frozenset({"0", "ngay", "bay gio", "luon", "gui ngay", "now"})
MAX_AHEAD = timedelta(days=90)
_TIME = r"(\d{1,2})[:hg](\d{2})?"
_DATE = r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?"
_TIME_ONLY = re.compile(rf"^{_TIME}$")
_DATE_TIME = re.compile(rf"^{_DATE}\s+(?:luc\s+)?{_TIME}$")
_TIME_DATE = re.compile(rf"^{_TIME}\s+(?:ngay\s+)?{_DATE}$")


def parse_send_time(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """Return the aware time typed, or None for "now"; refuse the past and the far future."""
    folded = fold(text).strip()
    if folded in NOW_WORDS:
        return None
    local_now = now.astimezone(tz)
    moment = _parse(folded, local_now, tz)
    if moment is None:
        raise UserError("broadcast/bad_time")
    if moment <= now:
        raise UserError("broadcast/time_passed", at=moment.astimezone(tz))
    if moment - now > MAX_AHEAD:
        raise UserError("broadcast/time_too_far", days=MAX_AHEAD.days)
    return moment


def _parse(folded: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    if match := _TIME_ONLY.match(folded):
        moment = _at(local_now.date(), match.group(1), match.group(2), tz)
        if moment is not None and moment <= local_now:
            moment += timedelta(days=1)
        return moment
    if match := _DATE_TIME.match(folded):
        day, month, year, hour, minute = match.groups()
    elif match := _TIME_DATE.match(folded):
        hour, minute, day, month, year = match.groups()
    else:
        return None
    try:
        when = date(int(year or local_now.year), int(month), int(day))
    except ValueError:
        return None
    if year is None and when < local_now.date():
        when = when.replace(year=when.year + 1)
    return _at(when, hour, minute, tz)


def _at(day: date, hour: str, minute: str | None, tz: ZoneInfo) -> datetime | None:
    try:
        return datetime.combine(day, time(int(hour), int(minute or 0)), tz)
    except ValueError:
        return None

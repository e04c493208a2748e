"""Cron arithmetic on slots: the slot a moment belongs to, the next one, those in between."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

LOOKBACK = (timedelta(hours=2), timedelta(days=2), timedelta(days=9), timedelta(days=63),
            timedelta(days=800))


NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def trigger(cron: str, tz: ZoneInfo | str) -> CronTrigger:
    """Return an APScheduler cron trigger for a standard crontab line, in the given zone.

    APScheduler 3 numbers weekdays from Monday (0) where crontab numbers them from Sunday (0 or
    7), so "1-6" would mean Tuesday to Sunday (APScheduler 3 docs, "cron" trigger). The weekday
    field is rewritten with day names, which both read the same way.
    """
    minute, hour, day, month, weekday = cron.split()
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=weekday_names(weekday), timezone=tz)


def weekday_names(field: str) -> str:
    """Rewrite a crontab weekday field (0/7 = Sunday, names allowed) as APScheduler day names."""
    days: set[int] = set()
    for part in field.lower().split(","):
        body, _, step = part.partition("/")
        first, _, last = body.partition("-")
        if body == "*":
            start, end = 0, 6
        else:
            start = _weekday(first)
            end = _weekday(last) if last else (6 if step else start)
            end = 7 if last in ("7", "sun") and start > 0 else end
        if end < start:
            raise ValueError(f"weekday range {body!r} runs backwards")
        days |= {d % 7 for d in range(start, end + 1, int(step) if step else 1)}
    if len(days) == 7:
        return "*"
    return ",".join(NAMES[d] for d in sorted(days, key=lambda d: (d + 6) % 7))


def _weekday(text: str) -> int:
    if text in NAMES:
        return NAMES.index(text)
    if text.isdigit() and int(text) <= 7:
        return int(text) % 7 if text != "7" else 0
    raise ValueError(f"bad weekday {text!r} (0–7 or sun–sat)")


def following(cron: str, tz: ZoneInfo, after: datetime) -> datetime | None:
    """Return the first slot strictly after `after`."""
    return trigger(cron, tz).get_next_fire_time(None, after + timedelta(seconds=1))


def between(cron: str, tz: ZoneInfo, after: datetime, until: datetime,
            limit: int = 1000) -> list[datetime]:
    """List the slots in (after, until], the latest `limit` of them, oldest first."""
    cron_trigger = trigger(cron, tz)
    found: list[datetime] = []
    moment = cron_trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    while moment is not None and moment <= until:
        found.append(moment)
        if len(found) > limit:
            found.pop(0)
        moment = cron_trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return found


def previous(cron: str, tz: ZoneInfo, at: datetime) -> datetime | None:
    """Return the latest slot at or before `at` (None if none within two years)."""
    for window in LOOKBACK:
        found = between(cron, tz, at - window, at, limit=1)
        if found:
            return found[-1]
    return None

"""Cron arithmetic on slots: the slot a moment belongs to, the next one, those in between."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

LOOKBACK = (timedelta(hours=2), timedelta(days=2), timedelta(days=9), timedelta(days=63),
            timedelta(days=800))


def trigger(cron: str, tz: ZoneInfo) -> CronTrigger:
    """Return an APScheduler cron trigger in the programme's time zone."""
    return CronTrigger.from_crontab(cron, timezone=tz)


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

"""Monthly message quotas and channel pauses (Zalo Bot API: 3,000 messages a month on Basic).

Scheduled outreach asks `remaining` before spending; a platform's "quota exceeded" pauses a channel.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.textsplit import count_parts
from storage.repositories import pauses, usage

log = logging.getLogger(__name__)

PROGRAMME_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_MAX_TEXT = 2000


@dataclass(frozen=True)
class Usage:
    """A channel's month so far: messages spent, messages queued, the quota and the pause."""

    month: date
    spent: int
    queued: int
    quota: int | None
    paused_until: datetime | None

    @property
    def remaining(self) -> int | None:
        """Return how many more messages may be queued this month (None: no quota)."""
        if self.quota is None:
            return None
        if self.paused_until is not None:
            return 0
        return max(0, self.quota - self.spent - self.queued)


def month_bounds(now: datetime, tz: ZoneInfo = PROGRAMME_TZ) -> tuple[datetime, datetime]:
    """Return the start of this calendar month and of the next, in `tz`, as UTC times."""
    local = now.astimezone(tz).date()
    first = local.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (datetime.combine(first, time(), tz).astimezone(UTC),
            datetime.combine(following, time(), tz).astimezone(UTC))


async def usage_of(session: AsyncSession, *, channel: str, now: datetime, quota: int | None,
                   tz: ZoneInfo = PROGRAMME_TZ, max_text: int = DEFAULT_MAX_TEXT) -> Usage:
    """Count what a channel spent this month (a long text counts once per part it is split into)."""
    start, end = month_bounds(now, tz)
    spent = await _count(session, channel=channel, start=start, end=end, pending=False,
                         max_text=max_text)
    queued = await _count(session, channel=channel, start=start, end=end, pending=True,
                          max_text=max_text)
    return Usage(start.astimezone(tz).date(), spent, queued, quota or None,
                 await paused_until(session, channel=channel, now=now))


async def remaining(session: AsyncSession, *, channel: str, now: datetime, quota: int | None,
                    tz: ZoneInfo = PROGRAMME_TZ) -> int | None:
    """Return how many more messages `channel` may be given this month; None when it has no quota.

    Spent (sent, or possibly sent) and still-queued messages both count; a paused channel has 0.
    Scheduled outreach calls this before queueing, e.g.
    `remaining(session, channel="zalo", now=clock.now(), quota=settings.monthly_quota)`.
    """
    if not quota:
        return None
    found = await usage_of(session, channel=channel, now=now, quota=quota, tz=tz)
    return found.remaining


async def _count(session: AsyncSession, *, channel: str, start: datetime, end: datetime,
                 pending: bool, max_text: int) -> int:
    # A text of at most max_text/2 characters is one message whatever its characters are
    # (each is at most two UTF-16 units); only longer ones need splitting to be counted.
    short = max_text // 2
    count = await usage.count_rows(session, channel=channel, start=start, end=end,
                                   pending=pending, max_chars=short)
    longer = await usage.list_long_texts(session, channel=channel, start=start, end=end,
                                         pending=pending, min_chars=short)
    return count + sum(count_parts(text, max_text) for text in longer)


async def paused_until(session: AsyncSession, *, channel: str, now: datetime) -> datetime | None:
    """Return when a paused channel may send again, or None when it is not paused."""
    row = await pauses.get(session, channel)
    return row.until if row is not None and row.until > now else None


def quota_pause_end(now: datetime, *, pause_minutes: int, tz: ZoneInfo = PROGRAMME_TZ) -> datetime:
    """Return when to try again after "quota exceeded": the next month, or sooner if configured."""
    next_month = month_bounds(now, tz)[1]
    if pause_minutes <= 0:
        return next_month
    return min(next_month, now + timedelta(minutes=pause_minutes))


async def pause(session: AsyncSession, *, channel: str, until: datetime, reason: str,
                now: datetime) -> int:
    """Pause a channel until `until`, holding its pending rows; return how many rows wait."""
    await pauses.put(session, channel=channel, until=until, reason=reason, now=now)
    held = await pauses.hold_pending(session, channel=channel, until=until)
    log.warning("channel %s paused until %s (%s); %d queued messages wait", channel,
                until.isoformat(), reason, held)
    return held


async def resume(session: AsyncSession, *, channel: str, now: datetime) -> int | None:
    """Lift a channel's pause by hand; return how many held rows are due again (None: not paused)."""
    row = await pauses.get(session, channel)
    if row is None:
        return None
    released = await pauses.release_pending(session, channel=channel, held_until=row.until, now=now)
    await pauses.remove(session, channel)
    log.info("channel %s resumed by hand; %d queued messages are due", channel, released)
    return released


@dataclass(frozen=True)
class MonthlyQuotas:
    """The budget scheduled outreach may spend per channel this month (a `QuotaSource`)."""

    quotas: Mapping[str, int]
    tz: ZoneInfo = PROGRAMME_TZ

    async def remaining(self, session: AsyncSession, channel: str, now: datetime) -> int | None:
        """Return what is left of the channel's monthly quota, or None when it has none."""
        return await remaining(session, channel=channel, now=now, quota=self.quotas.get(channel),
                               tz=self.tz)

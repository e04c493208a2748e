"""Channel pauses: sends on a channel wait until a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelPause, OutboxMessage, OutboxStatus


async def get(session: AsyncSession, channel: str) -> ChannelPause | None:
    """Return the pause of a channel, expired or not."""
    return await session.get(ChannelPause, channel)


async def put(session: AsyncSession, *, channel: str, until: datetime, reason: str,
              now: datetime) -> ChannelPause:
    """Pause a channel until `until` (a later pause replaces an earlier one)."""
    row = await session.get(ChannelPause, channel)
    if row is None:
        row = ChannelPause(channel=channel, until=until, reason=reason, created_at=now)
        session.add(row)
    else:
        row.until, row.reason, row.created_at = until, reason, now
    await session.flush()
    return row


async def remove(session: AsyncSession, channel: str) -> bool:
    """Lift a channel's pause; False when there was none."""
    result = await session.execute(delete(ChannelPause).where(ChannelPause.channel == channel))
    return bool(result.rowcount)


async def hold_pending(session: AsyncSession, *, channel: str, until: datetime) -> int:
    """Make the channel's pending outbox rows wait until `until`; return how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.not_before < until)
        .values(not_before=until))
    return result.rowcount or 0


async def release_pending(session: AsyncSession, *, channel: str, held_until: datetime,
                          now: datetime) -> int:
    """Make the rows a pause held (due by `held_until`, not yet due) due now; return how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.not_before > now, OutboxMessage.not_before <= held_until)
        .values(not_before=now))
    return result.rowcount or 0

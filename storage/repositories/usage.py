"""Outbound usage of a channel, read from the outbox (the ledger of what was sent)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus

M = OutboxMessage


def _spent(channel: str, start: datetime, end: datetime) -> ColumnElement[bool]:
    # A row left `sending` or `uncertain` may have reached the platform: count it, to be safe.
    return and_(M.channel == channel, or_(
        and_(M.status == OutboxStatus.SENT, M.sent_at >= start, M.sent_at < end),
        and_(M.status.in_([OutboxStatus.SENDING, OutboxStatus.UNCERTAIN]),
             M.claimed_at >= start, M.claimed_at < end)))


def _pending(channel: str) -> ColumnElement[bool]:
    return and_(M.channel == channel, M.status == OutboxStatus.PENDING)


async def count_rows(session: AsyncSession, *, channel: str, start: datetime, end: datetime,
                     pending: bool, max_chars: int) -> int:
    """Count rows spent in [start, end) (or pending) whose text has at most `max_chars` characters."""
    where = _pending(channel) if pending else _spent(channel, start, end)
    stmt = select(func.count(M.id)).where(where, func.length(M.text) <= max_chars)
    return (await session.execute(stmt)).scalar_one()


async def list_long_texts(session: AsyncSession, *, channel: str, start: datetime, end: datetime,
                          pending: bool, min_chars: int) -> Sequence[str]:
    """Return the texts of rows spent in [start, end) (or pending) longer than `min_chars`."""
    where = _pending(channel) if pending else _spent(channel, start, end)
    stmt = select(M.text).where(where, func.length(M.text) > min_chars)
    return (await session.execute(stmt)).scalars().all()

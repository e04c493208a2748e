"""The outbox: messages queued in the transaction that caused them, sent after commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus
from storage.upsert import dialect_name, insert_ignore


async def add(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Queue a message; None when its dedup_key was already queued (it is never sent twice)."""
    return await insert_ignore(session, OutboxMessage, values, conflict=("dedup_key",))


async def claim(
    session: AsyncSession, *, ids: Sequence[int] | None, worker: str, now: datetime,
    channels: Sequence[str], limit: int = 50,
) -> list[Row[Any]]:
    """Mark due pending rows `sending` for this worker and return them (commit before sending).

    One `UPDATE … RETURNING` statement. On PostgreSQL the rows are picked with
    `FOR UPDATE SKIP LOCKED`, so several workers share the queue without waiting on each other;
    SQLite serialises writers (BEGIN IMMEDIATE). Returned in send order (priority, then id).
    """
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now,
                  OutboxMessage.channel.in_(channels))
           .order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit))
    if ids is not None:
        due = due.where(OutboxMessage.id.in_(ids))
    if dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
            .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now,
                    attempts=OutboxMessage.attempts + 1)
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False))
    rows = list((await session.execute(stmt)).all())
    return sorted(rows, key=lambda row: (row.priority, row.id))


_CLAIMED_COLUMNS = (OutboxMessage.id, OutboxMessage.channel, OutboxMessage.chat_id,
                    OutboxMessage.is_group, OutboxMessage.text, OutboxMessage.choices,
                    OutboxMessage.attachment, OutboxMessage.attempts, OutboxMessage.priority)


async def get(session: AsyncSession, row_id: int) -> OutboxMessage | None:
    """Return one outbox row."""
    return await session.get(OutboxMessage, row_id)


async def flag_stale_sending(session: AsyncSession, *, before: datetime) -> Sequence[int]:
    """Mark rows left `sending` since before `before` as `uncertain`; return their ids.

    Such a row may or may not have reached the platform, so it is never resent blindly.
    """
    stmt = select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.SENDING,
                                          OutboxMessage.claimed_at < before)
    ids = list((await session.execute(stmt)).scalars().all())
    if ids:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                              .values(status=OutboxStatus.UNCERTAIN,
                                      last_error="found 'sending' after a crash or time-out"))
    return ids


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """Count outbox rows per status (for /healthz and metrics)."""
    stmt = select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
    return dict((await session.execute(stmt)).all())


async def list_for_chat(session: AsyncSession, *, channel: str, chat_id: str) -> Sequence[OutboxMessage]:
    """List the messages queued for one chat, oldest first."""
    stmt = (select(OutboxMessage).where(OutboxMessage.channel == channel,
                                        OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id))
    return (await session.execute(stmt)).scalars().all()


async def add_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Queue many messages in batched multi-row INSERTs; return the ids of the rows that were new.

    A row whose dedup_key was already queued is skipped, as in `add`.
    """
    if not rows:
        return []
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__  # Core, not the ORM's bulk path: far fewer Python steps a row
    stmt = (insert(table).on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(table.c.id))
    result = await session.execute(stmt, list(rows))
    return list(result.scalars().all())


async def move_chat(session: AsyncSession, *, channel: str, old_chat_id: str, new_chat_id: str) -> int:
    """Point the not-yet-sent rows of a chat at its new id; return how many moved."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.chat_id == old_chat_id,
               OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
        .values(chat_id=new_chat_id))
    return result.rowcount or 0

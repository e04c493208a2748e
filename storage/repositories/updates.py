"""Claims on incoming updates: the first transaction to claim `(channel, update_id)` handles it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate
from storage.upsert import insert_ignore


async def claim(session: AsyncSession, *, channel: str, update_id: str, at: datetime) -> bool:
    """Claim an update; False means another transaction already handled it (a duplicate)."""
    new_id = await insert_ignore(
        session, ProcessedUpdate, {"channel": channel, "update_id": update_id, "received_at": at},
        conflict=("channel", "update_id"),
    )
    return new_id is not None


async def delete_older_than(session: AsyncSession, before: datetime) -> int:
    """Forget claims older than `before` (platforms stop redelivering long before that)."""
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.received_at < before))
    return result.rowcount or 0

"""Claims on incoming updates: the first transaction to claim `(channel, update_id)` handles it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate
from storage.prepared import Prepared
from storage.upsert import insert_of
from storage.work import Work


def claim_statement(dialect: str) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING RETURNING id` of one claim (a row only when it is new)."""
    return (insert_of(dialect)(ProcessedUpdate.__table__)
            .values(channel=bindparam("channel"), update_id=bindparam("update_id"),
                    received_at=bindparam("at", type_=ProcessedUpdate.__table__.c.received_at.type))
            .on_conflict_do_nothing(index_elements=["channel", "update_id"])
            .returning(ProcessedUpdate.__table__.c.id))


_CLAIM = Prepared(claim_statement)


async def claim(work: Work, *, channel: str, update_id: str, at: datetime) -> bool:
    """Claim an update; False means another transaction already handled it (a duplicate)."""
    return bool(await work.write(_CLAIM, {"channel": channel, "update_id": update_id, "at": at}))


async def delete_older_than(session: AsyncSession, before: datetime) -> int:
    """Forget claims older than `before` (platforms stop redelivering long before that)."""
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.received_at < before))
    return result.rowcount or 0

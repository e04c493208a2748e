"""Bookkeeping of personal reminders, and members' opt-out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member, MemberReminder
from storage.upsert import dialect_name


async def list_for_phase(session: AsyncSession, phase_id: int) -> dict[int, tuple[int, datetime]]:
    """Return, per member, how many reminders they got in a phase and when the last one was."""
    stmt = select(MemberReminder.member_id, MemberReminder.sent_count,
                  MemberReminder.last_sent_at).where(MemberReminder.phase_id == phase_id)
    return {member_id: (count, at) for member_id, count, at in (await session.execute(stmt)).all()}


async def record_sent(session: AsyncSession, *, member_ids: Sequence[int], phase_id: int,
                      at: datetime) -> None:
    """Count one more reminder for each member (insert, or add one)."""
    if not member_ids:
        return
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    stmt = insert(MemberReminder)
    stmt = stmt.on_conflict_do_update(
        index_elements=["member_id", "phase_id"],
        set_={"sent_count": MemberReminder.sent_count + 1, "last_sent_at": stmt.excluded.last_sent_at})
    await session.execute(stmt, [{"member_id": m, "phase_id": phase_id, "sent_count": 1,
                                  "last_sent_at": at} for m in member_ids])


async def set_enabled(session: AsyncSession, member_id: int, *, enabled: bool) -> bool:
    """Turn a member's personal reminders on or off; return whether it changed anything."""
    stmt = (update(Member).where(Member.id == member_id, Member.reminders_enabled.is_(not enabled))
            .values(reminders_enabled=enabled))
    return ((await session.execute(stmt)).rowcount or 0) > 0

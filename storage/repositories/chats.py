"""Chats the bot talks in, and the units group chats are linked to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat


async def get(session: AsyncSession, *, channel: str, chat_id: str, lock: bool = False) -> Chat | None:
    """Return a chat by its platform id; `lock` holds its row to the end of the transaction."""
    stmt = select(Chat).where(Chat.channel == channel, Chat.chat_id == chat_id)
    if lock:  # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, chat: Chat) -> Chat:
    """Add a chat."""
    session.add(chat)
    await session.flush()
    return chat


async def list_groups_of_unit(session: AsyncSession, unit_id: int) -> Sequence[Chat]:
    """List the reachable group chats linked to a unit."""
    stmt = select(Chat).where(Chat.unit_id == unit_id, Chat.is_group.is_(True),
                              Chat.reachable.is_(True)).order_by(Chat.id)
    return (await session.execute(stmt)).scalars().all()


async def mark_unreachable(session: AsyncSession, *, channel: str, chat_id: str) -> None:
    """Record that the bot can no longer write in a chat."""
    await session.execute(update(Chat).where(Chat.channel == channel, Chat.chat_id == chat_id)
                          .values(reachable=False))


async def set_reachable(session: AsyncSession, *, channel: str, chat_id: str, reachable: bool) -> int:
    """Set whether the bot can write in a chat; return how many rows changed (0 or 1)."""
    result = await session.execute(update(Chat).where(Chat.channel == channel, Chat.chat_id == chat_id)
                                   .values(reachable=reachable))
    return result.rowcount or 0


async def remove(session: AsyncSession, chat: Chat) -> None:
    """Delete a chat row."""
    await session.delete(chat)
    await session.flush()

"""How to reach a member privately: the chat of one of their linked accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import ChatRef
from storage.models import Chat, Identity

# Telegram first (no monthly quota), then Zalo (quota), then the console and test channels.
PREFERENCE = ("telegram", "zalo", "console")


async def private_chat(session: AsyncSession, member_id: int) -> ChatRef | None:
    """Return the private chat to write to a member in, or None when they have no reachable account.

    On every channel a private chat's id is the person's user id (Telegram and Zalo both say so).
    """
    rows = (await session.execute(select(Identity).where(Identity.member_id == member_id))).scalars()
    gone = set((await session.execute(
        select(Chat.channel, Chat.chat_id).where(Chat.reachable.is_(False), Chat.is_group.is_(False))
    )).all())
    reachable = [i for i in rows if (i.channel, i.user_id) not in gone]
    if not reachable:
        return None
    best = min(reachable, key=lambda i: (_rank(i.channel), i.id))
    return ChatRef(best.channel, best.user_id)


def _rank(channel: str) -> int:
    return PREFERENCE.index(channel) if channel in PREFERENCE else len(PREFERENCE)

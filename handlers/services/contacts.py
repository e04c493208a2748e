"""How to reach a member privately: the chat of one of their linked accounts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import recipients
from handlers.types import ChatRef

# Telegram first (no monthly quota), then Zalo (quota), then the console and test channels.
PREFERENCE = ("telegram", "zalo", "console")


async def private_chat(session: AsyncSession, member_id: int) -> ChatRef | None:
    """Return the private chat to write to a member in, or None when they have no reachable account.

    The rule (a private chat's id is the user id; gone chats left out) is `recipients.people`'s.
    """
    found = await recipients.people(session, prefer=PREFERENCE, member_ids=[member_id])
    person = found.get(member_id)
    return person.chat if person else None

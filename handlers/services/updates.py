"""Incoming updates: each is claimed once, then who wrote and where they are in a dialog is read.

Two statements open every update: the claim (`INSERT … ON CONFLICT DO NOTHING RETURNING`) and
one joined read of the chat account, its member and the dialog state in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.conversations import Conversation, from_row
from handlers.types import Inbound
from storage.repositories import identities
from storage.repositories import updates as claims
from storage.repositories.identities import AccountRow, MemberRow
from storage.work import Work


@dataclass(frozen=True, slots=True)
class Writer:
    """Who wrote an update and where they are: account, member and conversation (or None)."""

    identity: AccountRow | None
    member: MemberRow | None
    state: Conversation | None


def state_key(inbound: Inbound, member_id: int | None) -> str:
    """Return the dialog key: the member in private chats, else the chat account in the chat.

    Keying private dialogs by member lets a draft begun on Zalo be finished on Telegram.
    """
    chat = inbound.chat
    if member_id is not None and not chat.is_group:
        return f"member:{member_id}"
    return f"{chat.channel}:{chat.chat_id}:{inbound.user_id}"


async def claim(work: Work, inbound: Inbound, *, at: datetime) -> bool:
    """Claim an update; False means another transaction already handled it (a duplicate)."""
    return await claims.claim(work, channel=inbound.chat.channel, update_id=inbound.update_id,
                              at=at)


async def open_update(work: Work, inbound: Inbound, *, now: datetime) -> Writer | None:
    """Claim `inbound` and read who wrote it and their conversation; None for a duplicate."""
    found = await identities.claim_and_get_writer(
        work, channel=inbound.chat.channel, update_id=inbound.update_id,
        user_id=inbound.user_id, chat_key=state_key(inbound, None),
        is_group=inbound.chat.is_group, now=now)
    if found is None:
        return None
    identity, member, state = found
    return Writer(identity, member, from_row(state) if state is not None else None)


async def forget_older_than(session: AsyncSession, before: datetime) -> int:
    """Forget claims older than `before` (platforms stop redelivering long before that)."""
    return await claims.delete_older_than(session, before)

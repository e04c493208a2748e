"""Who scheduled outreach reaches: group chats linked to units, and members' private chats.

A member's private chat: on every channel (Telegram, Zalo, the console) a private chat's id is
the user's id, the rule `handlers.services.contacts` follows too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import ChatRef
from storage.models import Chat, Identity, Member, Unit, UnitLevel


@dataclass(frozen=True)
class Person:
    """A member reachable in a private chat."""

    member_id: int
    name: str
    unit_id: int
    role: str
    chat: ChatRef


def dm_chat(channel: str, user_id: str) -> ChatRef:
    """Return the private chat with a chat account (its id is the user id on every channel)."""
    return ChatRef(channel, user_id)


async def group_chats(session: AsyncSession, *, unit_ids: Iterable[int] | None = None,
                      grassroots: bool | None = True) -> dict[int, list[ChatRef]]:
    """List the reachable group chats linked to units, by unit id.

    `grassroots`: True for grassroots unions only, False for the other levels, None for all.
    """
    stmt = (select(Chat.unit_id, Chat.channel, Chat.chat_id).join(Unit, Unit.id == Chat.unit_id)
            .where(Chat.is_group.is_(True), Chat.reachable.is_(True)).order_by(Chat.id))
    if grassroots is not None:
        level = Unit.level == UnitLevel.GRASSROOTS
        stmt = stmt.where(level if grassroots else ~level)
    if unit_ids is not None:
        stmt = stmt.where(Chat.unit_id.in_(list(unit_ids)))
    found: dict[int, list[ChatRef]] = {}
    for unit_id, channel, chat_id in (await session.execute(stmt)).all():
        found.setdefault(unit_id, []).append(ChatRef(channel, chat_id, True))
    return found


async def people(session: AsyncSession, *, prefer: Sequence[str], roles: Sequence[str] | None = None,
                 member_ids: Iterable[int] | None = None, reminders_only: bool = False
                 ) -> dict[int, Person]:
    """Return members with a chat account, one private chat each (the first channel in `prefer`).

    Private chats the platform told us are gone (`chats.reachable` false) are left out.
    """
    stmt = (select(Member.id, Member.name, Member.unit_id, Member.role, Identity.channel,
                   Identity.user_id).join(Identity, Identity.member_id == Member.id)
            .order_by(Identity.id))
    if roles is not None:
        stmt = stmt.where(Member.role.in_(list(roles)))
    if member_ids is not None:
        stmt = stmt.where(Member.id.in_(list(member_ids)))
    if reminders_only:
        stmt = stmt.where(Member.reminders_enabled.is_(True))
    gone = await _gone_private_chats(session)
    order = {channel: index for index, channel in enumerate(prefer)}
    found: dict[int, Person] = {}
    for member_id, name, unit_id, role, channel, user_id in (await session.execute(stmt)).all():
        chat = dm_chat(channel, user_id)
        if (chat.channel, chat.chat_id) in gone:
            continue
        known = found.get(member_id)
        if known is None or _rank(order, channel) < _rank(order, known.chat.channel):
            found[member_id] = Person(member_id, name, unit_id, role, chat)
    return found


def _rank(order: dict[str, int], channel: str) -> int:
    return order.get(channel, len(order))


async def _gone_private_chats(session: AsyncSession) -> set[tuple[str, str]]:
    stmt = select(Chat.channel, Chat.chat_id).where(Chat.is_group.is_(False),
                                                   Chat.reachable.is_(False))
    return {(channel, chat_id) for channel, chat_id in (await session.execute(stmt)).all()}

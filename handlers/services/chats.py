"""Chats the bot can or cannot reach, and group chats that moved to a new id."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import ChatRef
from storage.models import Chat
from storage.repositories import chats
from storage.repositories import outbox as outbox_repo

log = logging.getLogger(__name__)


async def mark_unreachable(session: AsyncSession, chat: ChatRef, *, title: str = "") -> None:
    """Record that the bot can no longer write in a chat (blocked, kicked, left, not found)."""
    await _set_reachable(session, chat, reachable=False, title=title)
    log.info("chat %s is unreachable", chat.key)


async def mark_reachable(session: AsyncSession, chat: ChatRef, *, title: str = "") -> None:
    """Record that the bot can write in a chat again (unblocked, added back to the group)."""
    await _set_reachable(session, chat, reachable=True, title=title)
    log.info("chat %s is reachable", chat.key)


async def _set_reachable(session: AsyncSession, chat: ChatRef, *, reachable: bool,
                         title: str) -> None:
    if await chats.set_reachable(session, channel=chat.channel, chat_id=chat.chat_id,
                                 reachable=reachable):
        return
    await chats.add(session, Chat(channel=chat.channel, chat_id=chat.chat_id,
                                  is_group=chat.is_group, title=title[:255], reachable=reachable))


async def is_reachable(session: AsyncSession, chat: ChatRef) -> bool:
    """Tell whether the bot may write in a chat (unknown chats are reachable)."""
    row = await chats.get(session, channel=chat.channel, chat_id=chat.chat_id)
    return row is None or row.reachable


async def migrate(session: AsyncSession, *, channel: str, old_chat_id: str,
                  new_chat_id: str) -> bool:
    """Move a group chat to its new id (a Telegram group became a supergroup).

    Its unit link, title and unsent messages follow it. Idempotent: return False when there was
    nothing to move.
    """
    if old_chat_id == new_chat_id:
        return False
    old = await chats.get(session, channel=channel, chat_id=old_chat_id)
    moved = await outbox_repo.move_chat(session, channel=channel, old_chat_id=old_chat_id,
                                        new_chat_id=new_chat_id)
    if old is None:
        return moved > 0
    new = await chats.get(session, channel=channel, chat_id=new_chat_id)
    if new is None:
        old.chat_id = new_chat_id
        await session.flush()
    else:
        # The new id already wrote to us (e.g. /lienket ran there first): keep one row.
        new.unit_id = new.unit_id or old.unit_id
        new.title = new.title or old.title
        await chats.remove(session, old)
    log.info("chat %s:%s migrated to %s (%d unsent messages moved)", channel, old_chat_id,
             new_chat_id, moved)
    return True

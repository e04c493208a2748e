"""Dialog state: where each person is in a dialog, with the draft. The only door to `dialog_states`.

A `Conversation` is read once per update and written back once, only what changed: an unchanged
draft is not encoded again. A write that finds the row changed by another transaction since it
was read raises `Stale`, and the router handles the update again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import ChatRef
from storage.models import DialogStatus
from storage.repositories import dialogs as repo
from storage.work import Work

MENU = "menu"
"""The numbered menu last shown to a person is kept as a (one-step) conversation."""
ACTIVE, CANCELLED = DialogStatus.ACTIVE, DialogStatus.CANCELLED
_WRITTEN = ("step", "status", "pending", "expires_at", "updated_at", "channel", "chat_id",
            "user_id", "member_id")


class Stale(Exception):
    """Another transaction changed or removed this dialog state since it was read."""


@dataclass(eq=False)
class Conversation:
    """One dialog of one person: the step reached, the draft, and an offer waiting for an answer."""

    key: str
    dialog: str
    step: str
    draft: dict[str, Any]
    channel: str
    chat_id: str
    user_id: str
    member_id: int | None
    expires_at: datetime
    updated_at: datetime
    status: str = ACTIVE
    pending: dict[str, Any] | None = None
    id: int | None = None
    version: int = 0
    _stored: dict[str, Any] = field(default_factory=dict, repr=False)
    """The values as last read or written, to write only what changed."""

    @property
    def active(self) -> bool:
        """Tell whether this is the person's dialog in progress."""
        return self.status == ACTIVE

    def place(self, chat: ChatRef, user_id: str, member_id: int | None) -> None:
        """Remember where the person last wrote in this dialog (replies to a draft go there)."""
        self.channel, self.chat_id, self.user_id = chat.channel, chat.chat_id, user_id
        self.member_id = member_id

    def extend(self, now: datetime, ttl: timedelta) -> None:
        """Mark the conversation touched now, kept until `ttl` from now."""
        self.updated_at, self.expires_at = now, now + ttl


def begin(key: str, dialog: str, *, step: str, chat: ChatRef, user_id: str,
          member_id: int | None, now: datetime, ttl: timedelta) -> Conversation:
    """Return a new conversation (written by the first `save`)."""
    return Conversation(key=key, dialog=dialog, step=step, draft={}, channel=chat.channel,
                        chat_id=chat.chat_id, user_id=user_id, member_id=member_id,
                        expires_at=now + ttl, updated_at=now)


def from_row(row: Mapping[str, Any]) -> Conversation:
    """Rebuild a conversation from its stored columns."""
    conversation = Conversation(
        key=row["key"], dialog=row["dialog"], step=row["step"], draft=row["draft"],
        channel=row["channel"], chat_id=row["chat_id"], user_id=row["user_id"],
        member_id=row["member_id"], expires_at=row["expires_at"], updated_at=row["updated_at"],
        status=row["status"], pending=row["pending"], id=row["id"], version=row["version"])
    conversation._stored = _values(conversation)
    return conversation


async def active(work: Work, key: str, *, now: datetime) -> Conversation | None:
    """Return the person's conversation in progress (a dialog or the menu), if any."""
    row = await repo.get_active(work, key, now=now)
    return from_row(row) if row is not None else None


async def kept(work: Work, key: str, dialog: str) -> Conversation | None:
    """Return this person's state of one dialog, active or cancelled (a draft kept for a while)."""
    row = await repo.get(work, key, dialog)
    return from_row(row) if row is not None else None


async def open_for(work: Work, *, key: str, dialog: str, step: str,
                   draft: dict[str, Any], chat: ChatRef, member_id: int | None, now: datetime,
                   ttl: timedelta) -> bool:
    """Put someone else straight into a dialog (an author asked to confirm an entry).

    Returns False, changing nothing, when they are busy in another conversation.
    """
    if await active(work, key, now=now) is not None:
        return False
    state = await kept(work, key, dialog) or begin(
        key, dialog, step=step, chat=chat, user_id=chat.chat_id, member_id=member_id, now=now,
        ttl=ttl)
    state.place(chat, chat.chat_id, member_id)
    state.step, state.status, state.pending, state.draft = step, ACTIVE, None, draft
    state.extend(now, ttl)
    await save(work, state)
    return True


async def save(work: Work, conversation: Conversation) -> None:
    """Write what changed since the conversation was read or last saved (nothing if nothing)."""
    now = _values(conversation)
    if conversation.status == ACTIVE and conversation._stored.get("status") != ACTIVE:
        # Only one dialog per person may be active; one that expired unanswered steps aside.
        await repo.retire_expired(work, conversation.key, now=conversation.updated_at)
    if conversation.id is None:
        conversation.id = await repo.add(work, {"key": conversation.key,
                                                   "dialog": conversation.dialog,
                                                   "created_at": conversation.updated_at, **now})
        conversation.version = 1
    else:
        changed = {k: v for k, v in now.items() if v is not conversation._stored.get(k)
                   and v != conversation._stored.get(k)}
        if not changed:
            return
        if not await repo.change(work, row_id=conversation.id, seen=conversation.version,
                                 values=changed):
            raise Stale(conversation.key)
        conversation.version += 1
    conversation._stored = now


async def remove(work: Work, conversation: Conversation) -> None:
    """Delete a finished conversation (a new one never written needs nothing)."""
    if conversation.id is None:
        return
    if not await repo.remove(work, row_id=conversation.id, seen=conversation.version):
        raise Stale(conversation.key)
    conversation.id = None


async def delete_expired(session: AsyncSession, now: datetime) -> int:
    """Forget conversations (in progress or cancelled) past their expiry; return how many."""
    return await repo.delete_expired(session, now)


def _values(conversation: Conversation) -> dict[str, Any]:
    values = {name: getattr(conversation, name) for name in _WRITTEN}
    values["draft"] = conversation.draft
    return values

"""Linking group chats to units, and who may move a group that already belongs to another unit.

Every link, move and refused takeover is recorded in the audit log. Sends nothing, words nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import audit, scope
from handlers.services.members import link_chat
from handlers.types import ChatRef
from storage.models import Member, Role, Unit
from storage.repositories import chats, units

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What `/lienket` did to a group chat."""

    LINKED = "linked"
    """The group had no unit; now it has this one."""
    ALREADY = "already"
    """The group was already linked to this unit: nothing changed."""
    CONFIRM = "confirm"
    """The group belongs to another unit the person may move it from: they must confirm."""
    MOVED = "moved"
    """Moved from another unit, confirmed by someone whose scope covers both."""
    REFUSED = "refused"
    """The group belongs to a unit outside the person's scope: nothing changed."""


@dataclass(frozen=True)
class GroupLink:
    """The outcome of a `/lienket`: the unit asked for, the unit before, whom to tell."""

    outcome: Outcome
    unit: Unit
    previous: Unit | None = None
    officer_ids: tuple[int, ...] = ()
    """The officers of `previous`, who lost their group (MOVED only)."""


def subject(chat: ChatRef) -> str:
    """Return the audit subject for a chat: `chat:<channel>:<chat_id>` (the column holds 80)."""
    return f"chat:{chat.channel}:{chat.chat_id}"[:80]


async def link_group(session: AsyncSession, *, chat: ChatRef, unit: Unit, actor: Member,
                     confirmed: bool, now: datetime, title: str = "") -> GroupLink:
    """Link a group chat to `unit`, unless it belongs to another unit the actor does not cover.

    The actor must cover `unit` (an officer: their own union; staff: their subtree), else
    `officer/link_own_unit_only` is raised. A group linked to another unit moves only when the
    actor's scope covers that unit too and the move is `confirmed`. A refused takeover is
    returned, not raised, so that its audit entry stays.
    """
    row = await chats.get(session, channel=chat.channel, chat_id=chat.chat_id, lock=True)
    previous = await units.get(session, row.unit_id) if row and row.unit_id else None
    if previous is not None and previous.id == unit.id:
        return GroupLink(Outcome.ALREADY, unit, previous)
    covered = await scope.unit_ids(session, actor)
    if unit.id not in covered:
        raise UserError("officer/link_own_unit_only", code=unit.code)
    attempt = _Attempt(chat, unit, actor, now, title)
    if previous is None:
        await _move(session, attempt, previous=None)
        return GroupLink(Outcome.LINKED, unit)
    if previous.id not in covered:
        await _refuse(session, attempt, previous)
        return GroupLink(Outcome.REFUSED, unit, previous)
    if not confirmed:
        return GroupLink(Outcome.CONFIRM, unit, previous)
    await _move(session, attempt, previous=previous)
    return GroupLink(Outcome.MOVED, unit, previous, await _officer_ids(session, previous))


@dataclass(frozen=True)
class _Attempt:
    """Who asked to link which chat to which unit, and when."""

    chat: ChatRef
    unit: Unit
    actor: Member
    now: datetime
    title: str


async def _move(session: AsyncSession, attempt: _Attempt, *, previous: Unit | None) -> None:
    """Point the chat at the unit and record it: `chat.link` from no unit, else `chat.relink`."""
    await link_chat(session, chat=attempt.chat, unit=attempt.unit, title=attempt.title)
    action = "chat.link" if previous is None else "chat.relink"
    await _record(session, attempt, action=action, previous=previous)
    log.info("chat %s linked to unit %s (was %s) by member %s", attempt.chat.key,
             attempt.unit.code, previous.code if previous else "none", attempt.actor.id)


async def _refuse(session: AsyncSession, attempt: _Attempt, previous: Unit) -> None:
    """Record a refused takeover; `after` is the unit asked for (nothing changed)."""
    await _record(session, attempt, action="chat.link_refused", previous=previous)
    log.warning("chat %s: member %s may not move it from unit %s to %s", attempt.chat.key,
                attempt.actor.id, previous.code, attempt.unit.code)


async def _record(session: AsyncSession, attempt: _Attempt, *, action: str,
                  previous: Unit | None) -> None:
    await audit.record(session, at=attempt.now, actor=attempt.actor, action=action,
                       subject=subject(attempt.chat),
                       before={"unit": previous.code if previous else None},
                       after={"unit": attempt.unit.code})


async def _officer_ids(session: AsyncSession, unit: Unit) -> tuple[int, ...]:
    """List the officers of a unit (the people to tell when it loses its group)."""
    stmt = (select(Member.id).where(Member.unit_id == unit.id, Member.role == Role.OFFICER)
            .order_by(Member.id))
    return tuple((await session.execute(stmt)).scalars().all())

"""The member confirms an initiative an officer entered for them (/xacnhan). See confirm_entry.mmd."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from handlers.dialogs.engine import Dialog
from handlers.errors import UserError
from handlers.notifications import notify_member
from handlers.parsing import parse_choice
from handlers.services import audit
from handlers.turn import Turn
from storage.models import Initiative, InitiativeStatus


class Step(StrEnum):
    """One step: yes or no."""

    ANSWER = "answer"


@dataclass
class Draft:
    """Nothing to keep: the initiative shown is the member's oldest one waiting."""

    version: int = 1


async def _waiting(turn: Turn) -> Initiative | None:
    assert turn.member is not None
    stmt = (select(Initiative).where(Initiative.member_id == turn.member.id,
                                     Initiative.status == InitiativeStatus.PENDING_CONFIRMATION)
            .order_by(Initiative.id).limit(1))
    return (await turn.session.execute(stmt)).scalar_one_or_none()


async def on_start(turn: Turn, draft: Draft) -> None:
    """Refuse when nothing waits for this member's confirmation."""
    if await _waiting(turn) is None:
        raise UserError("entry/none_pending")


async def answer(turn: Turn, draft: Draft, text: str) -> str | None:
    """1 it is right (it counts), 2 it is not (it is withdrawn); the officer is told."""
    right = parse_choice(text, turn.labels("entry/choices")) == 0
    initiative = await _waiting(turn)
    if initiative is None:
        raise UserError("entry/none_pending")
    unverified = turn.identity is not None and not turn.identity.verified
    initiative.status = (InitiativeStatus.WITHDRAWN if not right else
                         InitiativeStatus.UNVERIFIED if unverified else InitiativeStatus.SUBMITTED)
    initiative.updated_at = turn.clock.now()
    await audit.record(turn.session, at=turn.clock.now(), actor=turn.member,
                       action="entry.confirm" if right else "entry.refuse",
                       subject=f"initiative:{initiative.id}",
                       before={"status": InitiativeStatus.PENDING_CONFIRMATION},
                       after={"status": initiative.status})
    turn.reply("entry/answered", initiative=initiative, right=right)
    if initiative.entered_by_id is not None:
        await notify_member(turn, initiative.entered_by_id, "entry/officer_notice",
                            key=f"entry:{initiative.id}:{'yes' if right else 'no'}",
                            initiative=initiative, right=right, author=turn.member.name)  # type: ignore[union-attr]
    return Step.ANSWER if await _waiting(turn) else None


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Show the initiative waiting for confirmation."""
    initiative = await _waiting(turn)
    turn.reply("entry/show", initiative=initiative, choices=turn.labels("entry/choices"))


DIALOG = Dialog(name="confirm_entry", draft_type=Draft, first_step=Step.ANSWER,
                handlers={Step.ANSWER: answer}, prompt=prompt, on_start=on_start, area="entry")

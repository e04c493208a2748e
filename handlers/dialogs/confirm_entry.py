"""The member confirms an initiative an officer entered for them (/xacnhan). See confirm_entry.mmd."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.dialogs.engine import Dialog
from handlers.errors import UserError
from handlers.notifications import notify_member
from handlers.parsing import parse_choice
from handlers.services import initiatives as initiative_service
from handlers.services.records import Initiative
from handlers.turn import Turn


class Step(StrEnum):
    """One step: yes or no."""

    ANSWER = "answer"


@dataclass
class Draft:
    """Nothing to keep: the initiative shown is the member's oldest one waiting."""

    version: int = 1


async def _waiting(turn: Turn) -> Initiative | None:
    assert turn.member is not None
    return await initiative_service.oldest_waiting(turn.session, turn.member)


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
    assert turn.member is not None
    verified = turn.identity is None or turn.identity.verified
    await initiative_service.answer_entry(turn.session, initiative, author=turn.member,
                                          right=right, verified=verified, now=turn.clock.now())
    turn.reply("entry/answered", initiative=initiative, right=right)
    if initiative.entered_by_id is not None:
        await notify_member(turn, initiative.entered_by_id, "entry/officer_notice",
                            key=f"entry:{initiative.id}:{'yes' if right else 'no'}",
                            initiative=initiative, right=right, author=turn.member.name)
    return Step.ANSWER if await _waiting(turn) else None


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Show the initiative waiting for confirmation."""
    initiative = await _waiting(turn)
    turn.reply("entry/show", initiative=initiative, choices=turn.labels("entry/choices"))


DIALOG = Dialog(name="confirm_entry", draft_type=Draft, first_step=Step.ANSWER,
                handlers={Step.ANSWER: answer}, prompt=prompt, on_start=on_start, area="entry")

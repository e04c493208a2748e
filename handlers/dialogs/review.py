"""Reviewing the unit's queue (/duyet): one initiative at a time. See review.mmd."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from handlers.dialogs import engine
from handlers.dialogs.engine import Dialog
from handlers.dialogs.validation import require_text
from handlers.errors import UserError
from handlers.notifications import notify_member
from handlers.parsing import numbers_in, parse_choice
from handlers.services import conversations, review, scope
from handlers.services import initiatives as initiative_service
from handlers.services import members as member_service
from handlers.services.records import InitiativeStatus
from handlers.turn import Turn


class Step(StrEnum):
    """The steps of a review session."""

    DECIDE = "decide"
    ASK_REASON = "ask_reason"


@dataclass
class Draft:
    """The initiative on screen, the decision waiting for a reason, and what was skipped."""

    version: int = 1
    current_id: int | None = None
    decision: str = ""
    skipped: list[int] = field(default_factory=list)
    decided: int = 0


async def on_start(turn: Turn, draft: Draft) -> None:
    """Load the first initiative of the queue (unless one was asked for), or say it is empty."""
    assert turn.member is not None
    if draft.current_id is not None:
        return
    first = await review.next_in_queue(turn.session, reviewer=turn.member)
    if first is None:
        raise UserError("review/empty")
    draft.current_id = first.id


async def start(turn: Turn, args: str) -> None:
    """/duyet opens the queue; /duyet SK-000123 opens that initiative first."""
    assert turn.member is not None
    numbers = numbers_in(args)
    draft = Draft()
    if numbers:
        row = await initiative_service.get_by_number(turn.session, numbers[0])
        await scope.require_unit(turn.session, turn.member, row.unit_id)
        if row.status != InitiativeStatus.SUBMITTED:
            raise UserError("review/already_decided")
        draft.current_id = row.id
    active = turn.state
    if active is not None and active.dialog == DIALOG.name and draft.current_id is not None:
        # Mid-review: switch to the one asked for; the router asks the (new) question again.
        active.draft = {**active.draft, "current_id": draft.current_id, "decision": ""}
        active.step = Step.DECIDE
        await conversations.save(turn.work, active)
        return
    if active is not None:
        raise UserError("errors/finish_current")
    await engine.start(turn, DIALOG, draft=draft)


async def decide(turn: Turn, draft: Draft, text: str) -> str | None:
    """1 approve, 2 return for clarification, 3 reject, 4 skip for now."""
    choice = parse_choice(text, turn.labels("review/choices"))
    if choice == 3:
        draft.skipped.append(draft.current_id or 0)
        return await _next(turn, draft)
    draft.decision = [review.Decision.APPROVE, review.Decision.RETURN, review.Decision.REJECT][choice]
    if draft.decision == review.Decision.APPROVE:
        await _apply(turn, draft, note=None)
        return await _next(turn, draft)
    return Step.ASK_REASON


async def take_reason(turn: Turn, draft: Draft, text: str) -> str | None:
    """The reason for returning or rejecting (required)."""
    await _apply(turn, draft, note=require_text(text, min_len=5, max_len=500, multiline=True))
    return await _next(turn, draft)


async def _apply(turn: Turn, draft: Draft, *, note: str | None) -> None:
    assert turn.member is not None and draft.current_id is not None
    decision = review.Decision(draft.decision)
    initiative = await review.decide(turn.session, initiative_id=draft.current_id,
                                     reviewer=turn.member, decision=decision, note=note,
                                     now=turn.clock.now())
    draft.decided += 1
    turn.reply("review/recorded", initiative=initiative, decision=decision.value)
    await notify_member(turn, initiative.member_id, "review/author_notice",
                        key=f"review:{initiative.id}:{decision.value}:{turn.inbound.update_id}",
                        initiative=initiative, decision=decision.value, note=note)


async def _next(turn: Turn, draft: Draft) -> str | None:
    assert turn.member is not None
    upcoming = await review.next_in_queue(turn.session, reviewer=turn.member, skipped=draft.skipped)
    if upcoming is None:
        turn.reply("review/finished", decided=draft.decided, skipped=len(draft.skipped))
        return None
    draft.current_id, draft.decision = upcoming.id, ""
    return Step.DECIDE


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Show the initiative and the choices, or ask for the reason."""
    if step == Step.ASK_REASON:
        turn.reply("review/ask_reason", decision=draft.decision)
        return
    initiative = (await initiative_service.get(turn.session, draft.current_id)
                  if draft.current_id is not None else None)
    author = await member_service.get(turn.session, initiative.member_id) if initiative else None
    assert turn.member is not None
    waiting, newest = await review.queue_summary(turn.session, reviewer=turn.member)
    turn.reply("review/show", i=initiative, author=author, waiting=waiting, newest=newest,
               choices=turn.labels("review/choices"))


DIALOG = Dialog(name="review", draft_type=Draft, first_step=Step.DECIDE,
                handlers={Step.DECIDE: decide, Step.ASK_REASON: take_reason},
                prompt=prompt, on_start=on_start)

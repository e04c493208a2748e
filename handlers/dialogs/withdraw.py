"""Withdrawing one's own initiative (/rut SK-000123), after a yes. See withdraw.mmd."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.dialogs.engine import Dialog
from handlers.errors import UserError
from handlers.parsing import parse_choice
from handlers.services import initiatives as initiative_service
from handlers.services.records import EDITABLE_STATUSES, Initiative
from handlers.turn import Turn


class Step(StrEnum):
    """Which initiative, then are you sure."""

    ASK_NUMBER = "ask_number"
    CONFIRM = "confirm"


@dataclass
class Draft:
    """The initiative to withdraw."""

    version: int = 1
    initiative_id: int | None = None
    number: str = ""
    title: str = ""


async def take_number(turn: Turn, draft: Draft, text: str) -> str:
    """Take the number of one's own submitted or returned initiative."""
    assert turn.member is not None
    row = await initiative_service.get_own(turn.session, member=turn.member, number=text)
    if row.status not in EDITABLE_STATUSES:
        raise UserError("initiatives/not_editable")
    draft.initiative_id, draft.number, draft.title = row.id, row.number or "", row.title
    return Step.CONFIRM


async def confirm(turn: Turn, draft: Draft, text: str) -> None:
    """1 withdraw it, 2 keep it."""
    assert turn.member is not None and draft.initiative_id is not None
    if parse_choice(text, turn.labels("withdraw/choices")) == 1:
        turn.reply("withdraw/kept", number=draft.number)
        return
    row: Initiative = await initiative_service.withdraw(
        turn.session, initiative_id=draft.initiative_id, author=turn.member, now=turn.clock.now())
    turn.reply("withdraw/done", initiative=row)


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask for the number, or for the yes."""
    choices = turn.labels("withdraw/choices") if step == Step.CONFIRM else ()
    turn.reply(f"withdraw/{step}", d=draft, choices=choices)


DIALOG = Dialog(name="withdraw", draft_type=Draft, first_step=Step.ASK_NUMBER,
                handlers={Step.ASK_NUMBER: take_number, Step.CONFIRM: confirm}, prompt=prompt)

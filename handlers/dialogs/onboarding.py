"""Onboarding a stranger: unit (by code, number or fuzzy name), name, phone. See onboarding.mmd."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from handlers import linking, menu
from handlers.dialogs.engine import Dialog
from handlers.dialogs.validation import require_text
from handlers.errors import UserError
from handlers.parsing import normalize_phone, parse_choice
from handlers.services import members as member_service
from handlers.textnorm import clean, fold
from handlers.turn import Turn
from handlers.types import InboundKind


class Step(StrEnum):
    """The steps of onboarding."""

    ASK_UNIT = "ask_unit"
    PICK_UNIT = "pick_unit"
    ASK_NAME = "ask_name"
    ASK_PHONE = "ask_phone"


@dataclass
class Draft:
    """What a newcomer told us so far."""

    version: int = 1
    unit_id: int | None = None
    unit_name: str = ""
    candidates: list[list[Any]] = field(default_factory=list)
    name: str = ""


async def on_start(turn: Turn, draft: Draft) -> None:
    """Greet the newcomer before the first question."""
    turn.reply("onboarding/welcome")


async def take_unit(turn: Turn, draft: Draft, text: str) -> str | None:
    """Find the unit by code or by (fuzzy, diacritics-free) name; a 6-digit link code also works."""
    typed = clean(text)
    if not typed:
        raise UserError("errors/empty")
    if linking.looks_like_code(typed):
        return None if await linking.redeem(turn, typed) else Step.ASK_UNIT
    matches = await member_service.find_units(turn.session, typed)
    if not matches:
        raise UserError("onboarding/unit_not_found", typed=typed)
    best = matches[0]
    if best.score >= 100 and (len(matches) == 1 or fold(best.name) == fold(typed)):
        draft.unit_id, draft.unit_name = best.unit_id, best.name
        return Step.ASK_NAME
    draft.candidates = [[m.unit_id, m.code, m.name] for m in matches]
    return Step.PICK_UNIT


async def pick_unit(turn: Turn, draft: Draft, text: str) -> str:
    """Take the number of a unit from the list, or the last entry: not in the list."""
    index = parse_choice(text, _unit_labels(turn, draft))
    if index == len(draft.candidates):
        draft.candidates = []
        return Step.ASK_UNIT
    draft.unit_id, _, draft.unit_name = draft.candidates[index]
    return Step.ASK_NAME


async def take_name(turn: Turn, draft: Draft, text: str) -> str:
    """Take the newcomer's full name."""
    draft.name = require_text(text, min_len=2, max_len=80)
    if any(ch.isdigit() for ch in draft.name):
        raise UserError("onboarding/name_has_digits")
    return Step.ASK_PHONE


async def take_phone(turn: Turn, draft: Draft, text: str) -> None:
    """Take the phone (typed, or shared as a contact) and link or add the member."""
    contact = turn.inbound.kind == InboundKind.CONTACT
    phone = normalize_phone(str(turn.inbound.payload.get("phone", "")) if contact else text)
    if phone is None:
        raise UserError("errors/bad_phone")
    verified = contact and bool(turn.inbound.payload.get("own_contact"))
    assert draft.unit_id is not None
    member, on_roster = await member_service.onboard(
        turn.session, channel=turn.inbound.chat.channel, user_id=turn.inbound.user_id,
        unit_id=draft.unit_id, name=draft.name, phone=phone, display_name=turn.inbound.user_name,
        verified=verified)
    turn.member = member
    unit = await member_service.unit_of(turn.session, member)
    turn.reply("onboarding/done", name=member.name, unit=unit, on_roster=on_roster,
               verified=verified)
    await menu.show(turn)
    return


def _unit_labels(turn: Turn, draft: Draft) -> list[str]:
    labels = [f"{name} ({code})" for _, code, name in draft.candidates]
    return [*labels, *turn.labels("onboarding/not_in_list")]


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask the question of a step."""
    if step == Step.PICK_UNIT:
        turn.reply("onboarding/pick_unit", choices=tuple(_unit_labels(turn, draft)))
    elif step == Step.ASK_NAME:
        turn.reply("onboarding/ask_name", unit_name=draft.unit_name,
                   suggested=clean(turn.inbound.user_name))
    elif step == Step.ASK_PHONE:
        turn.reply("onboarding/ask_phone", ask_contact=True)
    else:
        turn.reply(f"onboarding/{step}")


DIALOG = Dialog(
    name="onboarding", draft_type=Draft, first_step=Step.ASK_UNIT,
    handlers={Step.ASK_UNIT: take_unit, Step.PICK_UNIT: pick_unit, Step.ASK_NAME: take_name,
              Step.ASK_PHONE: take_phone},
    prompt=prompt, on_start=on_start,
    accepts={Step.ASK_PHONE: frozenset({InboundKind.CONTACT})},
)

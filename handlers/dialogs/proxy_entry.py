"""An officer picks the member to enter an initiative for (/nhaptho). See proxy_entry.mmd.

The six registration steps follow in register_initiative, with the member as the author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz, process

from handlers.dialogs import register_initiative
from handlers.dialogs.engine import Dialog
from handlers.dialogs.validation import require_text
from handlers.errors import UserError
from handlers.parsing import normalize_phone, parse_choice
from handlers.services import members as member_service
from handlers.services.records import Member
from handlers.textnorm import fold
from handlers.turn import Turn


class Step(StrEnum):
    """Find the member, then pick them from a short list when the name is ambiguous."""

    FIND_MEMBER = "find_member"
    PICK_MEMBER = "pick_member"


@dataclass
class Draft:
    """The candidates shown: [member id, name, phone]."""

    version: int = 1
    candidates: list[list[Any]] = field(default_factory=list)


async def find_member(turn: Turn, draft: Draft, text: str) -> str | None:
    """Take a phone number or a name (with or without diacritics) of a member the officer covers."""
    assert turn.member is not None
    typed = require_text(text, min_len=2, max_len=80) if not normalize_phone(text) else text
    people = await member_service.list_covered(turn.session, turn.member)
    phone = normalize_phone(typed)
    if phone is not None:
        chosen = [m for m in people if m.phone == phone]
        return _choose(turn, chosen[0]) if chosen else _missing(typed)
    found = process.extract(fold(typed), {m.id: fold(m.name) for m in people}, scorer=fuzz.WRatio,
                            limit=6, score_cutoff=70)
    by_id = {m.id: m for m in people}
    if not found:
        return _missing(typed)
    draft.candidates = [[key, by_id[key].name, by_id[key].phone or ""] for _, _, key in found]
    return Step.PICK_MEMBER


def _missing(typed: str) -> None:
    raise UserError("entry/member_not_found", typed=typed)


def _choose(turn: Turn, member: Member) -> None:
    turn.next_dialog = (register_initiative.DIALOG,
                        register_initiative.Draft(author_id=member.id, author_name=member.name))
    turn.reply("entry/for_member", name=member.name)


async def pick_member(turn: Turn, draft: Draft, text: str) -> str | None:
    """Pick one of the members shown."""
    index = parse_choice(text, [f"{name} {phone}" for _, name, phone in draft.candidates])
    member = await member_service.get(turn.session, draft.candidates[index][0])
    assert member is not None
    _choose(turn, member)
    return None


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask for the member, or show the candidates."""
    labels = tuple(f"{name} ({phone[:3]}…{phone[-3:]})" if phone else name
                   for _, name, phone in draft.candidates)
    turn.reply(f"entry/{step}", choices=labels if step == Step.PICK_MEMBER else ())


DIALOG = Dialog(name="proxy_entry", draft_type=Draft, first_step=Step.FIND_MEMBER,
                handlers={Step.FIND_MEMBER: find_member, Step.PICK_MEMBER: pick_member},
                prompt=prompt, area="entry")

"""Registering an initiative in six steps (INTERFACE §5). See register_initiative.mmd."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from handlers.dialogs import evidence
from handlers.dialogs.engine import CANCELLED, Dialog
from handlers.dialogs.validation import require_text
from handlers.parsing import parse_choice, parse_money
from handlers.services import initiatives as initiative_service
from handlers.turn import Turn
from handlers.types import InboundKind


class Step(StrEnum):
    """The steps, in the order members go through them."""

    ASK_TITLE = "ask_title"
    ASK_FIELD = "ask_field"
    ASK_CONTENT = "ask_content"
    ASK_EFFECT = "ask_effect"
    ASK_BENEFIT = "ask_benefit"
    CONFIRM = "confirm"
    PICK_EDIT = "pick_edit"


EDITABLE = (Step.ASK_TITLE, Step.ASK_FIELD, Step.ASK_CONTENT, Step.ASK_EFFECT, Step.ASK_BENEFIT)


@dataclass
class Draft:
    """The initiative typed so far."""

    version: int = 1
    title: str = ""
    field: str = ""
    content: str = ""
    effect: str = ""
    benefit_vnd: int | None = None
    benefit_given: bool = False
    editing: bool = False
    attachments: list[str] = dataclasses.field(default_factory=list)
    """Ids of photos sent as evidence at the content step (see evidence.py)."""


def _next(draft: Draft, step: Step) -> Step:
    return Step.CONFIRM if draft.editing else step


async def on_start(turn: Turn, draft: Draft) -> None:
    """Refuse at once when no phase is open."""
    await initiative_service.open_phase(turn.session)


async def take_title(turn: Turn, draft: Draft, text: str) -> str:
    """Step 1: the title, 5 to 200 characters."""
    draft.title = require_text(text, min_len=5, max_len=200)
    return _next(draft, Step.ASK_FIELD)


async def take_field(turn: Turn, draft: Draft, text: str) -> str:
    """Step 2: the field, picked by number from the configured list."""
    draft.field = turn.settings.fields[parse_choice(text, turn.settings.fields)]
    return _next(draft, Step.ASK_CONTENT)


async def take_content(turn: Turn, draft: Draft, text: str) -> str:
    """Step 3: what the initiative changes, 20 to 3,000 characters (or a photo, see evidence.py)."""
    if turn.inbound.kind == InboundKind.PHOTO:
        return await take_content_photo(turn, draft)
    draft.content = require_text(text, min_len=20, max_len=3000, multiline=True)
    return _next(draft, Step.ASK_EFFECT)


async def take_content_photo(turn: Turn, draft: Draft) -> str:
    """Keep a photo as evidence; a long enough caption also answers step 3."""
    answered = evidence.take_photo(turn, draft, content_min=20, content_max=3000)
    await evidence.keep_photo(turn, draft, used_caption=answered)
    return _next(draft, Step.ASK_EFFECT) if answered else Step.ASK_CONTENT


async def take_effect(turn: Turn, draft: Draft, text: str) -> str:
    """Step 4: its effect, 10 to 1,000 characters."""
    draft.effect = require_text(text, min_len=10, max_len=1000, multiline=True)
    return _next(draft, Step.ASK_BENEFIT)


async def take_benefit(turn: Turn, draft: Draft, text: str) -> str:
    """Step 5: the benefit in VND, or skipped."""
    draft.benefit_vnd = parse_money(text)
    draft.benefit_given = True
    return Step.CONFIRM


async def confirm(turn: Turn, draft: Draft, text: str) -> str | None:
    """Step 6: 1 send, 2 edit a field, 3 cancel."""
    choice = parse_choice(text, turn.labels("register/confirm_choices"))
    if choice == 1:
        return Step.PICK_EDIT
    if choice == 2:
        turn.reply("dialog/cancelled", days=turn.settings.draft_ttl_days)
        return CANCELLED
    assert turn.member is not None
    initiative = await initiative_service.register_initiative(
        turn.session, author=turn.member, now=turn.clock.now(),
        prefix=turn.settings.number_prefix,
        text=initiative_service.InitiativeText(draft.title, draft.field, draft.content,
                                               draft.effect, draft.benefit_vnd))
    await evidence.attach_to(turn, draft, initiative.id)
    count = await initiative_service.count_for_unit(
        turn.session, unit_id=initiative.unit_id, phase_id=initiative.phase_id,
        statuses=turn.settings.counting_statuses)
    turn.reply("register/done", initiative=initiative, unit_count=count)
    return None


async def pick_edit(turn: Turn, draft: Draft, text: str) -> str:
    """Pick the field to edit; after it the summary comes back."""
    draft.editing = True
    return EDITABLE[parse_choice(text, turn.labels("register/edit_choices"))]


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask the question of a step."""
    if step == Step.ASK_FIELD:
        turn.reply("register/ask_field", choices=turn.settings.fields)
    elif step == Step.CONFIRM:
        turn.reply("register/confirm", d=draft, choices=turn.labels("register/confirm_choices"))
    elif step == Step.PICK_EDIT:
        turn.reply("register/pick_edit", choices=turn.labels("register/edit_choices"))
    else:
        turn.reply(f"register/{step}", d=draft)


DIALOG = Dialog(
    name="register_initiative", draft_type=Draft, first_step=Step.ASK_TITLE,
    handlers={Step.ASK_TITLE: take_title, Step.ASK_FIELD: take_field,
              Step.ASK_CONTENT: take_content, Step.ASK_EFFECT: take_effect,
              Step.ASK_BENEFIT: take_benefit, Step.CONFIRM: confirm, Step.PICK_EDIT: pick_edit},
    prompt=prompt, on_start=on_start, area="register",
    accepts={Step.ASK_CONTENT: frozenset({InboundKind.PHOTO})},
)

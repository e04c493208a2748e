"""Registering an initiative in six steps (INTERFACE §5). See register_initiative.mmd.

The same dialog edits an initiative (`/sua`, starting at the summary) and lets an officer enter one
for a member (`/nhaptho` prepares `author_id`); the member then confirms (confirm_entry.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from handlers.dialogs import entry_handoff, evidence
from handlers.dialogs.engine import CANCELLED, Dialog
from handlers.dialogs.validation import require_text
from handlers.errors import UserError
from handlers.parsing import parse_choice, parse_date, parse_money
from handlers.services import duplicates
from handlers.services import initiatives as initiative_service
from handlers.services import members as member_service
from handlers.services.records import InitiativeStatus, Member
from handlers.turn import Turn
from handlers.types import InboundKind


class Step(StrEnum):
    """The steps, in the order members go through them; the last three only from the summary."""

    ASK_TITLE = "ask_title"
    ASK_FIELD = "ask_field"
    ASK_CONTENT = "ask_content"
    ASK_EFFECT = "ask_effect"
    ASK_BENEFIT = "ask_benefit"
    CONFIRM = "confirm"
    PICK_EDIT = "pick_edit"
    ASK_APPLIED_SINCE = "ask_applied_since"
    ASK_TECH_SECRET = "ask_tech_secret"  # noqa: S105 - a step name, not a password


EDITABLE = (Step.ASK_TITLE, Step.ASK_FIELD, Step.ASK_CONTENT, Step.ASK_EFFECT, Step.ASK_BENEFIT,
            Step.ASK_APPLIED_SINCE, Step.ASK_TECH_SECRET)


@dataclass
class Draft:
    """The initiative typed so far, and whose it is."""

    version: int = 2
    title: str = ""
    field: str = ""
    content: str = ""
    effect: str = ""
    benefit_vnd: int | None = None
    benefit_given: bool = False
    applied_since: str | None = None
    tech_secret: bool = False
    editing: bool = False
    similar: list[list[Any]] = dataclasses.field(default_factory=list)  # (`field` is taken)
    initiative_id: int | None = None
    number: str = ""
    author_id: int | None = None
    author_name: str = ""
    attachments: list[str] = dataclasses.field(default_factory=list)
    """Ids of photos sent as evidence at the content step (see evidence.py)."""


def _next(draft: Draft, step: Step) -> Step:
    return Step.CONFIRM if draft.editing else step


async def on_start(turn: Turn, draft: Draft) -> None:
    """Refuse at once when no phase is open (an edit of an existing initiative is allowed)."""
    if draft.initiative_id is None:
        await initiative_service.open_phase_id(turn.work)


async def _author(turn: Turn, draft: Draft) -> Member:
    if draft.author_id is None:
        assert turn.member is not None
        return turn.member
    author = await member_service.get(turn.session, draft.author_id)
    assert author is not None
    return author


async def take_title(turn: Turn, draft: Draft, text: str) -> str:
    """Step 1: the title, 5 to 200 characters.

    Similar titles already in the block are shown with the step-2 question (one message, no
    extra question): the member goes on by answering, or stops with /huy.
    """
    draft.title = require_text(text, min_len=5, max_len=200)
    if draft.initiative_id is None:
        author = await _author(turn, draft)
        phase_id = await initiative_service.open_phase_id(turn.work)
        found = await duplicates.similar_titles(turn.work, unit_id=author.unit_id,
                                                phase_id=phase_id, title=draft.title)
        draft.similar = [[s.number, s.title, s.unit_code] for s in found]
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


async def take_applied_since(turn: Turn, draft: Draft, text: str) -> str:
    """Optional: the date it was first applied, inside the phase window, or skipped."""
    day = parse_date(text)
    if day is not None:
        if day > turn.today:
            raise UserError("register/applied_in_future")
        phase = await initiative_service.open_phase(turn.session)
        initiative_service.check_applied_since(day, phase)
    draft.applied_since = day.isoformat() if day else None
    return Step.CONFIRM


async def take_tech_secret(turn: Turn, draft: Draft, text: str) -> str:
    """Optional: a technology secret keeps only the title, the effect and the benefit."""
    draft.tech_secret = parse_choice(text, turn.labels("register/tech_secret_choices")) == 0
    return Step.CONFIRM


async def confirm(turn: Turn, draft: Draft, text: str) -> str | None:
    """Step 6: 1 send, 2 edit a field, 3 cancel."""
    choice = parse_choice(text, turn.labels("register/confirm_choices"))
    if choice == 1:
        return Step.PICK_EDIT
    if choice == 2:
        turn.reply("dialog/cancelled", days=turn.settings.draft_ttl_days,
                   dialog="register_initiative")
        return CANCELLED
    await _send(turn, draft)
    return None


async def _send(turn: Turn, draft: Draft) -> None:
    assert turn.member is not None
    text = initiative_service.InitiativeText(draft.title, draft.field, draft.content, draft.effect,
                                             draft.benefit_vnd)
    rules = initiative_service.Eligibility(
        date.fromisoformat(draft.applied_since) if draft.applied_since else None, draft.tech_secret)
    status = (InitiativeStatus.UNVERIFIED if turn.identity is not None and not turn.identity.verified
              else InitiativeStatus.SUBMITTED)
    if draft.initiative_id is not None:
        row = await initiative_service.update_initiative(
            turn.session, initiative_id=draft.initiative_id, author=turn.member, text=text,
            rules=rules, status=status, now=turn.clock.now())
        turn.reply("register/updated", initiative=row)
    elif draft.author_id is not None and draft.author_id != turn.member.id:
        entered = await entry_handoff.register_for_member(
            turn, author=await _author(turn, draft), text=text, rules=rules)
        await evidence.attach_to(turn, draft, entered.id)
    else:
        initiative = await initiative_service.register_initiative(
            turn.work, author=turn.member, now=turn.clock.now(), status=status,
            prefix=turn.settings.number_prefix, text=text, rules=rules)
        await evidence.attach_to(turn, draft, initiative.id)
        count = await initiative_service.count_for_unit(
            turn.work, unit_id=initiative.unit_id, phase_id=initiative.phase_id,
            statuses=turn.settings.counting_statuses)
        turn.reply("register/done", initiative=initiative, unit_count=count,
                   counted=status in turn.settings.counting_statuses)


async def pick_edit(turn: Turn, draft: Draft, text: str) -> str:
    """Pick the field to edit; after it the summary comes back."""
    draft.editing = True
    return EDITABLE[parse_choice(text, turn.labels("register/edit_choices"))]


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask the question of a step."""
    labels = {Step.ASK_FIELD: turn.settings.fields,
              Step.CONFIRM: turn.labels("register/confirm_choices"),
              Step.PICK_EDIT: turn.labels("register/edit_choices"),
              Step.ASK_TECH_SECRET: turn.labels("register/tech_secret_choices")}
    turn.reply(f"register/{step}", d=draft, choices=tuple(labels.get(Step(step), ())))


DIALOG = Dialog(
    name="register_initiative", draft_type=Draft, first_step=Step.ASK_TITLE,
    handlers={Step.ASK_TITLE: take_title, Step.ASK_FIELD: take_field, Step.ASK_CONTENT: take_content,
              Step.ASK_EFFECT: take_effect, Step.ASK_BENEFIT: take_benefit,
              Step.CONFIRM: confirm, Step.PICK_EDIT: pick_edit,
              Step.ASK_APPLIED_SINCE: take_applied_since, Step.ASK_TECH_SECRET: take_tech_secret},
    prompt=prompt, on_start=on_start, area="register",
    accepts={Step.ASK_CONTENT: frozenset({InboundKind.PHOTO})},
)

"""/dot for district staff: see phases and sprints, open or close a phase, start a sprint, set targets.

See phases.mmd. Each action ends the dialog with its result; the services audit every change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from handlers.dialogs.engine import Dialog
from handlers.errors import UserError
from handlers.parsing import parse_choice
from handlers.services import phases as phase_service
from handlers.services import targets as target_service
from handlers.services.records import Phase, PhaseStatus
from handlers.textnorm import fold
from handlers.turn import Turn


class Step(StrEnum):
    """The steps of /dot."""

    MENU = "menu"
    PICK_OPEN = "pick_open"
    CONFIRM_CLOSE = "confirm_close"
    ASK_DAYS = "ask_days"
    CONFIRM_COPY = "confirm_copy"
    ASK_UNIT = "ask_unit"
    PICK_TARGET_PHASE = "pick_target_phase"
    ASK_TARGET = "ask_target"


class Action(IntEnum):
    """The menu entries, in order (labels in phases/menu_choices.j2)."""

    OPEN = 0
    CLOSE = 1
    SPRINT = 2
    COPY = 3
    TARGET = 4


@dataclass
class Draft:
    """The phases offered and the unit and phase picked so far."""

    version: int = 1
    numbers: list[int] = field(default_factory=list)
    unit_code: str = ""
    phase_number: int = 0


DEFAULT_WORDS = frozenset({"ok", "dong y", "mac dinh", "co", "yes", "35 ngay mac dinh"})
_DAYS = re.compile(r"^(\d{1,4})\s*(?:ngay)?$")


async def take_action(turn: Turn, draft: Draft, text: str) -> str:
    """Pick what to do from the menu."""
    action = parse_choice(text, turn.labels("phases/menu_choices"))
    current = await phase_service.get_open(turn.session)
    if action == Action.OPEN:
        if current is not None:
            raise UserError("phases/close_first", current=phase_service.PhaseRef.of(current))
        draft.numbers = [p.number for p in await phase_service.list_all(turn.session)
                         if p.status != PhaseStatus.OPEN]
        if not draft.numbers:
            raise UserError("phases/nothing_to_open")
        return Step.PICK_OPEN
    if action in (Action.CLOSE, Action.SPRINT):
        if current is None:
            raise UserError("phases/nothing_open")
        draft.phase_number = current.number
        return Step.CONFIRM_CLOSE if action == Action.CLOSE else Step.ASK_DAYS
    if action == Action.COPY:
        source, target = await target_service.copy_pair(turn.session)
        draft.numbers = [source.number, target.number]
        return Step.CONFIRM_COPY
    return Step.ASK_UNIT


async def pick_open(turn: Turn, draft: Draft, text: str) -> None:
    """Open the phase picked from the list."""
    phases = await _phases(turn, draft.numbers)
    index = parse_choice(text, [phase.name for phase in phases])
    assert turn.member is not None
    phase = await phase_service.open_phase(turn.session, number=phases[index].number,
                                           actor=turn.member, at=turn.clock.now())
    turn.reply("phases/opened", phase=phase)


async def confirm_close(turn: Turn, draft: Draft, text: str) -> str | None:
    """1 close the open phase, 2 back to the menu."""
    if parse_choice(text, turn.labels("phases/confirm_close_choices")) == 1:
        return Step.MENU
    assert turn.member is not None
    phase, upcoming = await phase_service.close_phase(
        turn.session, number=draft.phase_number, actor=turn.member, at=turn.clock.now())
    turn.reply("phases/closed", phase=phase, next=upcoming)
    return None


async def take_days(turn: Turn, draft: Draft, text: str) -> None:
    """Start a sprint today in the open phase: the days typed, or the default 35."""
    folded = fold(text)
    match = _DAYS.match(folded)
    if folded not in DEFAULT_WORDS and match is None:
        raise UserError("phases/need_days", default=phase_service.DEFAULT_SPRINT_DAYS)
    days = int(match.group(1)) if match else phase_service.DEFAULT_SPRINT_DAYS
    assert turn.member is not None
    sprint = await phase_service.start_sprint(
        turn.session, number=draft.phase_number, starts_on=turn.today, days=days,
        name=turn.renderer.render("phases/sprint_name", days=days), actor=turn.member,
        at=turn.clock.now())
    turn.reply("phases/sprint_started", sprint=sprint,
               phase=await phase_service.get(turn.session, draft.phase_number))


async def confirm_copy(turn: Turn, draft: Draft, text: str) -> str | None:
    """1 copy last phase's targets to the next phase, 2 back to the menu."""
    if parse_choice(text, turn.labels("phases/confirm_copy_choices")) == 1:
        return Step.MENU
    assert turn.member is not None
    result = await target_service.copy_targets(
        turn.session, from_number=draft.numbers[0], to_number=draft.numbers[1],
        actor=turn.member, at=turn.clock.now())
    turn.reply("phases/targets_copied", r=result)
    return None


async def take_unit(turn: Turn, draft: Draft, text: str) -> str:
    """Take the code of the grassroots union whose target to set."""
    unit = await target_service.grassroots_unit(turn.session, text.strip())
    draft.unit_code = unit.code
    draft.numbers = [p.number for p in await phase_service.list_all(turn.session)
                     if p.status != PhaseStatus.CLOSED]
    if not draft.numbers:
        raise UserError("phases/no_phase_for_targets")
    if len(draft.numbers) == 1:
        draft.phase_number = draft.numbers[0]
        return Step.ASK_TARGET
    return Step.PICK_TARGET_PHASE


async def pick_target_phase(turn: Turn, draft: Draft, text: str) -> str:
    """Pick the phase the target is for."""
    phases = await _phases(turn, draft.numbers)
    draft.phase_number = phases[parse_choice(text, [p.name for p in phases])].number
    return Step.ASK_TARGET


async def take_target(turn: Turn, draft: Draft, text: str) -> None:
    """Set the target typed."""
    typed = text.strip().replace(".", "")
    if not typed.isdigit():
        raise UserError("phases/bad_target")
    assert turn.member is not None
    change = await target_service.set_target(
        turn.session, unit_code=draft.unit_code, number=draft.phase_number, target=int(typed),
        actor=turn.member, at=turn.clock.now())
    turn.reply("phases/target_set", c=change)


async def _phases(turn: Turn, numbers: list[int]) -> list[Phase]:
    return [p for p in await phase_service.list_all(turn.session) if p.number in numbers]


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask the question of a step."""
    if step == Step.MENU:
        views = await phase_service.overview(turn.session, today=turn.today)
        turn.reply("phases/menu", views=views, today=turn.today,
                   choices=turn.labels("phases/menu_choices"))
    elif step in (Step.PICK_OPEN, Step.PICK_TARGET_PHASE):
        phases = await _phases(turn, draft.numbers)
        turn.reply(f"phases/{step}", unit_code=draft.unit_code,
                   choices=tuple(phase.name for phase in phases))
    elif step in (Step.CONFIRM_CLOSE, Step.CONFIRM_COPY):
        await _confirm_prompt(turn, draft, step)
    else:
        await _ask_prompt(turn, draft, step)


async def _confirm_prompt(turn: Turn, draft: Draft, step: str) -> None:
    if step == Step.CONFIRM_CLOSE:
        phase = await phase_service.get(turn.session, draft.phase_number)
        upcoming = await phase_service.get_next_planned(turn.session)
        turn.reply("phases/confirm_close", phase=phase, next=upcoming,
                   choices=turn.labels("phases/confirm_close_choices"))
        return
    source = await phase_service.get(turn.session, draft.numbers[0])
    target = await phase_service.get(turn.session, draft.numbers[1])
    turn.reply("phases/confirm_copy", source=source, target=target,
               count=await phase_service.count_targets(turn.session, source.id),
               present=await phase_service.count_targets(turn.session, target.id),
               choices=turn.labels("phases/confirm_copy_choices"))


async def _ask_prompt(turn: Turn, draft: Draft, step: str) -> None:
    if step == Step.ASK_DAYS:
        phase = await phase_service.get(turn.session, draft.phase_number)
        turn.reply("phases/ask_days", phase=phase, today=turn.today,
                   default=phase_service.DEFAULT_SPRINT_DAYS)
    elif step == Step.ASK_UNIT:
        turn.reply("phases/ask_unit")
    else:
        phase = await phase_service.get(turn.session, draft.phase_number)
        unit = await target_service.grassroots_unit(turn.session, draft.unit_code)
        current = await phase_service.get_target(turn.session, unit_id=unit.id, phase_id=phase.id)
        turn.reply("phases/ask_target", unit=unit, phase=phase, current=current)


DIALOG = Dialog(
    name="phases", draft_type=Draft, first_step=Step.MENU,
    handlers={Step.MENU: take_action, Step.PICK_OPEN: pick_open,
              Step.CONFIRM_CLOSE: confirm_close, Step.ASK_DAYS: take_days,
              Step.CONFIRM_COPY: confirm_copy, Step.ASK_UNIT: take_unit,
              Step.PICK_TARGET_PHASE: pick_target_phase, Step.ASK_TARGET: take_target},
    prompt=prompt, area="phases",
)

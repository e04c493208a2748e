"""The staff broadcast (/thongbao). See broadcast.mmd.

Audience, text, time, a preview with the exact recipient count, confirm; or cancel one not sent
yet. The `broadcasts` job delivers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from handlers.dialogs.engine import CANCELLED, Dialog
from handlers.dialogs.validation import require_text
from handlers.errors import UserError
from handlers.parsing import parse_choice
from handlers.sendtime import parse_send_time
from handlers.services import broadcasts
from handlers.services import members as member_service
from handlers.services.records import Audience, Broadcast, Role, Unit
from handlers.turn import Turn

AUDIENCES = (Audience.ALL, Audience.BLOCK, Audience.LAGGING, Audience.SILENT, Audience.UNIT)
MAX_TEXT = 1500
"""Leaves room for the header within Zalo's 2,000 characters."""


class Step(StrEnum):
    """The steps, in order."""

    PICK_AUDIENCE = "pick_audience"
    PICK_BLOCK = "pick_block"
    ASK_UNIT = "ask_unit"
    ASK_TEXT = "ask_text"
    ASK_TIME = "ask_time"
    CONFIRM = "confirm"
    PICK_CANCEL = "pick_cancel"


@dataclass
class Draft:
    """The broadcast being written."""

    version: int = 1
    audience: str = ""
    code: str | None = None
    text: str = ""
    send_at: str | None = None
    expected: int = 0
    groups: int = 0
    scheduled: list[int] = field(default_factory=list)
    """Broadcasts of this person not sent yet, offered for cancelling."""


async def _scope(turn: Turn) -> Unit | None:
    assert turn.member is not None
    if turn.member.role == Role.ADMIN:
        return None
    return await member_service.unit_of(turn.session, turn.member)


def _rules(turn: Turn) -> broadcasts.Rules:
    return broadcasts.Rules(today=turn.today, tz=turn.settings.tz,
                            statuses=turn.settings.counting_statuses,
                            lagging_share=turn.settings.lagging_share)


async def on_start(turn: Turn, draft: Draft) -> None:
    """Remember the person's broadcasts not sent yet (they may cancel one)."""
    assert turn.member is not None
    rows = await broadcasts.list_scheduled(turn.session, created_by_id=turn.member.id)
    draft.scheduled = [row.id for row in rows]


def _audience_labels(turn: Turn, draft: Draft) -> tuple[str, ...]:
    return turn.labels("broadcast/audience_choices", scheduled=len(draft.scheduled))


async def take_audience(turn: Turn, draft: Draft, text: str) -> str:
    """Step 1: who it goes to (or cancel a scheduled broadcast)."""
    choice = parse_choice(text, _audience_labels(turn, draft))
    if choice == len(AUDIENCES):
        return Step.PICK_CANCEL
    draft.audience, draft.code = AUDIENCES[choice], None
    if draft.audience == Audience.BLOCK:
        return Step.PICK_BLOCK
    return Step.ASK_UNIT if draft.audience == Audience.UNIT else Step.ASK_TEXT


async def _blocks(turn: Turn) -> list[Unit]:
    return await member_service.blocks_under(turn.session, await _scope(turn))


async def take_block(turn: Turn, draft: Draft, text: str) -> str:
    """Step 1b: which block."""
    blocks = await _blocks(turn)
    draft.code = blocks[parse_choice(text, [b.name for b in blocks])].code
    return Step.ASK_TEXT


async def take_unit(turn: Turn, draft: Draft, text: str) -> str:
    """Step 1c: which union, by code or name."""
    found = await member_service.find_units(turn.session, text, limit=1)
    scope = await _scope(turn)
    unit = await member_service.get_unit(turn.session, found[0].unit_id) if found else None
    if unit is None or (scope is not None and not unit.path.startswith(scope.path)):
        raise UserError("errors/unknown_unit", code=text.strip()[:32])
    draft.code = unit.code
    return Step.ASK_TEXT


async def take_text(turn: Turn, draft: Draft, text: str) -> str:
    """Step 2: the text, 5 to 1,500 characters."""
    draft.text = require_text(text, min_len=5, max_len=MAX_TEXT, multiline=True)
    return Step.ASK_TIME


async def take_time(turn: Turn, draft: Draft, text: str) -> str:
    """Step 3: now, or a time; then count the recipients for the preview."""
    moment = parse_send_time(text, now=turn.clock.now(), tz=turn.settings.tz)
    draft.send_at = moment.isoformat() if moment else None
    found = await broadcasts.resolve(turn.session, audience=draft.audience, code=draft.code,
                                     rules=_rules(turn), scope=await _scope(turn))
    if not found:
        turn.reply("broadcast/no_recipients", audience=draft.audience, code=draft.code)
        return Step.PICK_AUDIENCE
    draft.expected, draft.groups = len(found), sum(1 for r in found if r.chat.is_group)
    return Step.CONFIRM


async def confirm(turn: Turn, draft: Draft, text: str) -> str | None:
    """Step 4: 1 send (schedule), 2 rewrite the text, 3 cancel."""
    choice = parse_choice(text, turn.labels("broadcast/confirm_choices"))
    if choice == 1:
        return Step.ASK_TEXT
    if choice == 2:
        turn.reply("broadcast/dropped")
        return CANCELLED
    assert turn.member is not None
    now = turn.clock.now()
    send_at = datetime.fromisoformat(draft.send_at) if draft.send_at else now
    row = await broadcasts.create(turn.session, audience=draft.audience, code=draft.code,
                                  text=draft.text, send_at=send_at, expected=draft.expected,
                                  created_by_id=turn.member.id, now=now)
    turn.reply("broadcast/scheduled", number=row.id, expected=row.expected,
               at=send_at.astimezone(turn.settings.tz) if draft.send_at else None)
    return None


async def take_cancel(turn: Turn, draft: Draft, text: str) -> str | None:
    """Cancel one of the person's broadcasts not sent yet."""
    rows = await _scheduled(turn, draft)
    picked = rows[parse_choice(text, [str(r.id) for r in rows])]
    assert turn.member is not None
    await broadcasts.cancel(turn.session, picked.id, now=turn.clock.now(),
                            created_by_id=turn.member.id)
    turn.reply("broadcast/cancelled", number=picked.id)
    return None


async def _scheduled(turn: Turn, draft: Draft) -> list[Broadcast]:
    assert turn.member is not None
    rows = await broadcasts.list_scheduled(turn.session, created_by_id=turn.member.id)
    return [r for r in rows if r.id in draft.scheduled]


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask the question of a step."""
    tz = turn.settings.tz
    if step == Step.PICK_AUDIENCE:
        turn.reply("broadcast/pick_audience", choices=_audience_labels(turn, draft))
    elif step == Step.PICK_BLOCK:
        turn.reply("broadcast/pick_block", choices=tuple(b.name for b in await _blocks(turn)))
    elif step == Step.CONFIRM:
        send_at = datetime.fromisoformat(draft.send_at).astimezone(tz) if draft.send_at else None
        sender = await broadcasts.author_unit_name(turn.session, turn.member)
        turn.reply("broadcast/confirm", d=draft, at=send_at, sender=sender,
                   choices=turn.labels("broadcast/confirm_choices"))
    elif step == Step.PICK_CANCEL:
        rows = await _scheduled(turn, draft)
        turn.reply("broadcast/pick_cancel", rows=rows, tz=tz,
                   choices=tuple(turn.renderer.render("broadcast/scheduled_label", b=r,
                                                      at=r.send_at.astimezone(tz)) for r in rows))
    else:
        turn.reply(f"broadcast/{step}", d=draft)


DIALOG = Dialog(
    name="broadcast", draft_type=Draft, first_step=Step.PICK_AUDIENCE,
    handlers={Step.PICK_AUDIENCE: take_audience, Step.PICK_BLOCK: take_block,
              Step.ASK_UNIT: take_unit, Step.ASK_TEXT: take_text, Step.ASK_TIME: take_time,
              Step.CONFIRM: confirm, Step.PICK_CANCEL: take_cancel},
    prompt=prompt, on_start=on_start, area="broadcast",
)

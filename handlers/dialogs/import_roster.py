"""A roster file sent in chat by staff: the dry-run report, then 1 apply or 2 cancel.

See import_roster.mmd. The router starts it when staff send a file outside a dialog; the channel
adapter has already saved the file and put {"path", "filename"} in the Inbound's payload (or
{"attachment_error"} when it could not fetch it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from handlers.dialogs.engine import Dialog
from handlers.errors import UserError
from handlers.parsing import parse_choice
from handlers.services import rosters
from handlers.services.records import Role
from handlers.turn import Turn
from handlers.types import InboundKind

log = logging.getLogger(__name__)

BAD_ROWS_SHOWN = 8
CHANGES_SHOWN = 5
APPLY, CANCEL = 0, 1


class Step(StrEnum):
    """The one step: apply or cancel."""

    CONFIRM = "confirm"


@dataclass
class Draft:
    """The file waiting for an answer, and what it would change."""

    version: int = 1
    path: str = ""
    filename: str = ""
    kind: str = ""
    added: int = 0
    updated: int = 0


async def _plan(turn: Turn, path: str, filename: str, *, kind: str | None,
                apply: bool) -> rosters.Plan:
    assert turn.member is not None
    return await rosters.import_file(
        turn.session, Path(path), kind=rosters.RosterKind(kind) if kind else None,
        filename=filename, at=turn.clock.now(), apply=apply, actor=turn.member,
        max_role=Role(turn.member.role), listed=CHANGES_SHOWN)


def _report(plan: rosters.Plan) -> dict[str, object]:
    return {"plan": plan, "bad_limit": BAD_ROWS_SHOWN, "change_limit": CHANGES_SHOWN}


async def read_file(turn: Turn, draft: Draft) -> None:
    """Read the file just sent; a file with bad rows or nothing to change ends here."""
    payload = turn.inbound.payload
    path, filename = payload.get("path"), payload.get("filename", "")
    if "attachment_error" in payload:  # the channel could not fetch it (too large, failed)
        raise UserError("rosters/file_failed", reason=str(payload["attachment_error"]),
                        filename=str(payload.get("file_name") or ""))
    if not path:
        raise UserError("rosters/how_to_send")
    plan = await _plan(turn, str(path), str(filename or Path(str(path)).name), kind=None,
                       apply=False)
    if not plan.ok or not plan.changed:
        raise UserError("rosters/chat_report", **_report(plan))
    log.info("member %s sent roster %s: %s", turn.member.id if turn.member else None,
             plan.filename, plan.counts())
    turn.reply("rosters/chat_report", **_report(plan))
    draft.path, draft.filename, draft.kind = str(path), plan.filename, plan.kind.value
    draft.added, draft.updated = plan.added, plan.updated


async def confirm(turn: Turn, draft: Draft, text: str) -> str | None:
    """1 apply (all or nothing, checked again now), 2 cancel; another file replaces this one."""
    if turn.inbound.kind == InboundKind.FILE:
        await read_file(turn, draft)
        return Step.CONFIRM
    if parse_choice(text, turn.labels("rosters/confirm_choices")) == CANCEL:
        turn.reply("rosters/cancelled", filename=draft.filename)
        return None
    plan = await _plan(turn, draft.path, draft.filename, kind=draft.kind, apply=True)
    if not plan.ok:
        turn.reply("rosters/chat_report", **_report(plan))
    elif plan.applied:
        turn.reply("rosters/applied", plan=plan)
    else:
        turn.reply("rosters/nothing_to_change")
    return None


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Ask whether to apply."""
    turn.reply("rosters/confirm", d=draft, choices=turn.labels("rosters/confirm_choices"))


DIALOG = Dialog(
    name="import_roster", draft_type=Draft, first_step=Step.CONFIRM,
    handlers={Step.CONFIRM: confirm}, prompt=prompt, on_start=read_file, area="rosters",
    accepts={Step.CONFIRM: frozenset({InboundKind.FILE})},
)

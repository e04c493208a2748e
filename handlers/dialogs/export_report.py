"""/xuat: staff pick an export (a PNG card or an Excel workbook) and get it in the chat.

One step, see export_report.mmd. `/xuat 2` picks the second entry at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from handlers.dialogs.engine import Dialog
from handlers.errors import UserError
from handlers.exports import build
from handlers.exports.chat import deliver
from handlers.parsing import parse_choice
from handlers.services import league
from handlers.services import members as member_service
from handlers.services import report_scope as scopes
from handlers.turn import Turn

log = logging.getLogger(__name__)

CHOICES = (("league", "png"), ("league", "xlsx"), ("units", "xlsx"), ("awards", "xlsx"),
           ("benefits", "xlsx"), ("initiatives", "xlsx"))
"""What each numbered entry of `reports/export_choices` makes, in the same order."""
MAX_TEXT_TABLES = 4
"""Blocks shown when the league goes out as text (Zalo's 2,000-character limit)."""


class Step(StrEnum):
    """The one step of /xuat."""

    PICK_EXPORT = "pick_export"


@dataclass
class Draft:
    """Nothing to remember but the format version."""

    version: int = 1


def context(turn: Turn) -> build.Context:
    """Return what producing a report needs, from the turn."""
    assert turn.exports is not None, "the router was built without exports"
    return build.Context(programme=turn.settings, reports=turn.exports.settings,
                         renderer=turn.renderer, now=turn.clock.now(), today=turn.today)


async def pick(turn: Turn, draft: Draft, text: str) -> None:
    """Make the chosen export for the staff member's unit and queue it."""
    kind, fmt = CHOICES[parse_choice(text, turn.labels("reports/export_choices"))]
    assert turn.member is not None
    assert turn.exports is not None
    unit = await member_service.unit_of(turn.session, turn.member)
    ctx = context(turn)
    output = await build.produce(turn.session, build.Request(kind=kind, fmt=fmt, block=unit.code),
                                 ctx)
    caption = turn.renderer.render("reports/export_caption", kind=kind, name=unit.name)
    sent = deliver(turn.exports, data=output.data, filename=output.filename,
                   channel=turn.inbound.chat.channel, caption=caption, now=ctx.now)
    log.info("export %s/%s for unit %s saved as %s", kind, fmt, unit.code, sent.path.name)
    if sent.attachment is not None:
        turn.attach("reports/export_ready", attachment=sent.attachment, caption=caption,
                    link=sent.link, hours=turn.exports.settings.card_ttl_hours)
    elif sent.link is not None:
        turn.reply("reports/export_link", caption=caption, link=sent.link,
                   hours=turn.exports.settings.card_ttl_hours)
    elif fmt == "png":
        scope = await scopes.build(turn.session, root=unit, now=ctx.now, today=ctx.today,
                                   phase=await scopes.find_phase(turn.session, None))
        result = await league.league(turn.session, scope, statuses=turn.settings.counting_statuses)
        shown = [(t, league.excerpt(t, None)) for t in result.tables[:MAX_TEXT_TABLES]]
        turn.reply("reports/export_as_text", result=result, tables=shown)
    else:
        raise UserError("reports/export_needs_link")


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Show the numbered list of exports."""
    turn.reply("reports/pick_export", choices=turn.labels("reports/export_choices"))


DIALOG = Dialog(name="export_report", draft_type=Draft, first_step=Step.PICK_EXPORT,
                handlers={Step.PICK_EXPORT: pick}, prompt=prompt, area="reports")

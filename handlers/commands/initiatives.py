"""Commands on one initiative: edit (/sua), paper confirmation (/xacnhangiay), portal (/daportal)."""

from __future__ import annotations

from handlers.dialogs import engine, entry_handoff, register_initiative
from handlers.errors import UserError
from handlers.parsing import NUMBER, numbers_in
from handlers.services import initiatives as initiative_service
from handlers.services.records import EDITABLE_STATUSES
from handlers.turn import Turn


async def edit(turn: Turn, args: str) -> None:
    """Open one's submitted or returned initiative at the summary, to change and resend it."""
    assert turn.member is not None
    numbers = numbers_in(args)
    if not numbers:
        await _list_editable(turn)
        return
    row = await initiative_service.get_own(turn.session, member=turn.member, number=numbers[0])
    if row.status not in EDITABLE_STATUSES:
        raise UserError("initiatives/not_editable")
    if turn.state is not None:
        raise UserError("errors/finish_current")
    draft = register_initiative.Draft(
        title=row.title, field=row.field, content=row.content, effect=row.effect,
        benefit_vnd=row.benefit_vnd, benefit_given=True, tech_secret=row.tech_secret,
        applied_since=row.applied_since.isoformat() if row.applied_since else None,
        editing=True, initiative_id=row.id, number=row.number or "")
    await engine.start(turn, register_initiative.DIALOG, draft=draft,
                       step=register_initiative.Step.CONFIRM)


async def _list_editable(turn: Turn) -> None:
    assert turn.member is not None
    rows = await initiative_service.list_editable(turn.session, turn.member)
    turn.reply("initiatives/editable", initiatives=rows)


async def confirm_on_paper(turn: Turn, args: str) -> None:
    """Count an entry made for a member who confirmed on paper: /xacnhangiay SK-000123 [note]."""
    assert turn.member is not None
    numbers = numbers_in(args)
    if not numbers:
        raise UserError("entry/paper_needs_number")
    note = NUMBER.sub("", args).strip()
    row = await initiative_service.confirm_on_paper(
        turn.session, officer=turn.member, number=numbers[0], note=note, now=turn.clock.now(),
        wait_days=entry_handoff.PAPER_DAYS)
    turn.reply("entry/paper_confirmed", initiative=row)


async def mark_on_portal(turn: Turn, args: str) -> None:
    """Record initiatives as typed into the national portal: /daportal SK-000123 SK-000124."""
    numbers = numbers_in(args)
    if not numbers:
        raise UserError("initiatives/portal_needs_number")
    rows = await initiative_service.mark_on_portal(turn.session, by=turn.member, numbers=numbers,
                                                   now=turn.clock.now())
    turn.reply("initiatives/on_portal", initiatives=rows)

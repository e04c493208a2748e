"""Officer commands available in the core: /chuanop and /lienket."""

from __future__ import annotations

import logging

from handlers.errors import UserError
from handlers.notifications import notify_member
from handlers.services import group_links, phases
from handlers.services import members as member_service
from handlers.services.group_links import GroupLink, Outcome
from handlers.textnorm import fold
from handlers.turn import Turn

log = logging.getLogger(__name__)

MOVE_WORD = "chuyen"
"""The word after the unit code that confirms moving a group from another unit (folded)."""
LINK_REPLIES = {
    Outcome.LINKED: "officer/linked",
    Outcome.ALREADY: "officer/link_already",
    Outcome.CONFIRM: "officer/link_confirm_move",
    Outcome.REFUSED: "officer/link_refused",
}


async def not_yet_submitted(turn: Turn, _args: str) -> None:
    """List the members of the officer's unit with no initiative in the open phase."""
    assert turn.member is not None
    phase = await phases.get_open(turn.session)
    if phase is None:
        turn.reply("member/no_open_phase")
        return
    unit = await member_service.unit_of(turn.session, turn.member)
    silent = await member_service.list_silent(turn.session, unit_id=unit.id, phase_id=phase.id)
    turn.reply("officer/not_yet_submitted", unit=unit, phase=phase, members=silent,
               declared=unit.member_count)


async def link_group(turn: Turn, args: str) -> None:
    """Link this group chat to a unit: urging and tallies for that unit go here.

    A group linked to another unit is moved only by staff covering both units, who confirm by
    adding the word `chuyen` (`/lienket DN01 chuyen`); see docs/officers.md.
    """
    assert turn.member is not None
    code, *rest = args.split() or [""]
    if not code:
        raise UserError("officer/link_needs_code")
    unit = await member_service.unit_by_code(turn.session, code)
    if unit is None:
        raise UserError("errors/unknown_unit", code=code)
    result = await group_links.link_group(
        turn.session, chat=turn.inbound.chat, unit=unit, actor=turn.member,
        confirmed=fold(" ".join(rest)) == MOVE_WORD, now=turn.clock.now(),
        title=turn.inbound.payload.get("chat_title", ""))
    if result.outcome == Outcome.MOVED:
        told = await _tell_officers(turn, result)
        turn.reply("officer/link_moved", unit=unit, previous=result.previous, told=told)
        return
    turn.reply(LINK_REPLIES[result.outcome], unit=unit, previous=result.previous, word=MOVE_WORD)


async def _tell_officers(turn: Turn, result: GroupLink) -> int:
    """Tell the officers of the unit that lost this group; return how many could be reached."""
    assert turn.member is not None
    chat = turn.inbound.chat
    told = 0
    for officer_id in result.officer_ids:
        told += await notify_member(
            turn, officer_id, "officer/group_moved_notice",
            key=f"chat.relink:{chat.key}:{turn.inbound.update_id}:{officer_id}",
            previous=result.previous, unit=result.unit, by=turn.member.name, role=turn.member.role,
            title=turn.inbound.payload.get("chat_title", ""), on=turn.today)
    return told

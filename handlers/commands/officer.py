"""Officer commands available in the core: /chuanop and /lienket."""

from __future__ import annotations

import logging

from handlers.errors import UserError
from handlers.services import members as member_service
from handlers.services import phases
from handlers.services.records import Role
from handlers.services.roles import RANK
from handlers.turn import Turn

log = logging.getLogger(__name__)


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
    """Link this group chat to a unit: urging and tallies for that unit go here."""
    assert turn.member is not None
    code = args.split()[0] if args.split() else ""
    if not code:
        raise UserError("officer/link_needs_code")
    unit = await member_service.unit_by_code(turn.session, code)
    if unit is None:
        raise UserError("errors/unknown_unit", code=code)
    if RANK[Role(turn.member.role)] < RANK[Role.STAFF] and unit.id != turn.member.unit_id:
        raise UserError("officer/link_own_unit_only", code=unit.code)
    await member_service.link_chat(turn.session, chat=turn.inbound.chat, unit=unit,
                                   title=turn.inbound.payload.get("chat_title", ""))
    log.info("chat %s linked to unit %s by member %s", turn.inbound.chat.key, unit.code,
             turn.member.id)
    turn.reply("officer/linked", unit=unit)

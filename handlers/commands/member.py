"""Member commands: /cuatoi, /tiendo, /xephang."""

from __future__ import annotations

from handlers.services import initiatives as initiative_service
from handlers.services import members as member_service
from handlers.services import progress
from handlers.turn import Turn
from storage.repositories import phases


async def my_initiatives(turn: Turn, _args: str) -> None:
    """List the member's initiatives with their status."""
    assert turn.member is not None  # the router checked the role
    rows, total = await initiative_service.list_mine(turn.session, turn.member)
    turn.reply("member/my_initiatives", initiatives=rows, total=total)


async def unit_progress(turn: Turn, _args: str) -> None:
    """Show the member's unit: count, target, % of plan, rank, days left, pace needed."""
    assert turn.member is not None
    phase = await phases.get_open(turn.session)
    unit = await member_service.unit_of(turn.session, turn.member)
    if phase is None:
        turn.reply("member/no_open_phase")
        return
    standing = await progress.unit_progress(turn.session, unit=unit, phase=phase, today=turn.today,
                                            statuses=turn.settings.counting_statuses)
    turn.reply("member/progress", p=standing)


async def league(turn: Turn, _args: str) -> None:
    """Show the league table of the member's block."""
    assert turn.member is not None
    phase = await phases.get_open(turn.session)
    unit = await member_service.unit_of(turn.session, turn.member)
    block = await member_service.block_of(turn.session, unit)
    if phase is None or block is None:
        turn.reply("member/no_open_phase")
        return
    table = await progress.league_table(turn.session, block=block, phase=phase,
                                        statuses=turn.settings.counting_statuses)
    turn.reply("member/league", block=block, phase=phase, rows=table, my_unit_id=unit.id)

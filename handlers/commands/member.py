"""Member commands: /cuatoi, /tiendo, /xephang."""

from __future__ import annotations

from handlers.services import initiatives as initiative_service
from handlers.services import league as league_service
from handlers.services import members as member_service
from handlers.services import phases, progress
from handlers.services import report_scope as scopes
from handlers.services.records import UnitLevel
from handlers.turn import Turn

MAX_TABLES = 3


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
    """Show the league table of the member's block, with the fair columns and the movement.

    Staff of a block or a district see the tables of their own unit's blocks instead.
    """
    assert turn.member is not None
    phase = await phases.get_open(turn.session)
    unit = await member_service.unit_of(turn.session, turn.member)
    grassroots = unit.level == UnitLevel.GRASSROOTS
    root = (await member_service.get_unit(turn.session, unit.parent_id)
            if grassroots and unit.parent_id else unit)
    if phase is None or root is None:
        turn.reply("member/no_open_phase")
        return
    scope = await scopes.build(turn.session, root=root, phase=phase, now=turn.clock.now(),
                               today=turn.today)
    result = await league_service.league(turn.session, scope,
                                         statuses=turn.settings.counting_statuses)
    own = league_service.table_of(result, unit.id)
    tables = [own] if own else result.tables[:MAX_TABLES]
    for table in tables:
        turn.reply("member/league", table=table, phase=phase, now=scope.now, my_unit_id=unit.id,
                   shown=league_service.excerpt(table, unit.id))
    if not tables:
        turn.reply("member/no_open_phase")
    elif len(result.tables) > len(tables):
        turn.reply("member/league_more", shown=len(tables), total=len(result.tables))

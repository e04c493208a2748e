"""Progress against targets: a unit's standing, the pace it needs, and its block's league table."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Phase, Sprint, Target, Unit, UnitLevel
from storage.repositories import initiatives, phases, units


@dataclass(frozen=True)
class LeagueRow:
    """One unit in a block's league table."""

    rank: int
    unit_id: int
    code: str
    name: str
    count: int
    target: int
    ratio: float | None
    member_count: int


@dataclass(frozen=True)
class UnitProgress:
    """A unit's standing in the open phase, with the pace it needs to reach its target."""

    unit: Unit
    block: Unit | None
    phase: Phase
    sprint: Sprint | None
    count: int
    target: int
    ratio: float | None
    rank: int
    block_size: int
    days_left_phase: int
    days_left_sprint: int | None
    remaining: int
    pace_needed: int

    @property
    def reached(self) -> bool:
        """Tell whether the unit has reached its target."""
        return self.target > 0 and self.count >= self.target


def days_left(end: date, today: date) -> int:
    """Count the days left until `end`, today included (0 once it has passed)."""
    return max((end - today).days + 1, 0)


def pace_needed(remaining: int, days: int) -> int:
    """Return the initiatives per day needed to close the gap in `days` (rounded up)."""
    if remaining <= 0:
        return 0
    return math.ceil(remaining / days) if days > 0 else remaining


async def league_table(session: AsyncSession, *, block: Unit, phase: Phase,
                       statuses: Sequence[str]) -> list[LeagueRow]:
    """Rank a block's unions by the league rule of handlers/services/league.py.

    Count, then % of target, then initiatives per 100 members; equal on all three share a rank.
    """
    members = (await session.execute(
        select(Unit).where(Unit.path.startswith(block.path), Unit.level == UnitLevel.GRASSROOTS)
    )).scalars().all()
    ids = [u.id for u in members]
    counts = await initiatives.count_by_unit(session, unit_ids=ids, phase_id=phase.id,
                                             statuses=statuses)
    targets = dict((await session.execute(
        select(Target.unit_id, Target.target).where(Target.unit_id.in_(ids),
                                                    Target.phase_id == phase.id))).all())
    rows = [_row(u, counts.get(u.id, 0), targets.get(u.id, 0)) for u in members]
    rows.sort(key=lambda r: (*_rule(r), r.code))
    return _ranked(rows)


def _rule(row: LeagueRow) -> tuple[float, float, float]:
    ratio = row.count / row.target if row.target else -1.0
    per_100 = row.count * 100.0 / row.member_count if row.member_count else -1.0
    return (-row.count, -ratio, -per_100)


def _row(unit: Unit, count: int, target: int) -> LeagueRow:
    ratio = count / target if target else None
    return LeagueRow(0, unit.id, unit.code, unit.name, count, target, ratio, unit.member_count)


def _ranked(rows: list[LeagueRow]) -> list[LeagueRow]:
    ranked: list[LeagueRow] = []
    for index, row in enumerate(rows):
        tied = ranked and _rule(ranked[-1]) == _rule(row)
        rank = ranked[-1].rank if tied else index + 1
        ranked.append(dataclasses.replace(row, rank=rank))
    return ranked


async def unit_progress(session: AsyncSession, *, unit: Unit, phase: Phase, today: date,
                        statuses: Sequence[str]) -> UnitProgress:
    """Compute a unit's count, target, rank in its block, days left and pace needed."""
    block = await units.block_of(session, unit)
    table = await league_table(session, block=block, phase=phase, statuses=statuses) if block else []
    mine = next((row for row in table if row.unit_id == unit.id), None)
    count = mine.count if mine else await _count(session, unit, phase, statuses)
    target = await phases.get_target(session, unit_id=unit.id, phase_id=phase.id) or 0
    sprint = await phases.get_sprint_on(session, phase.id, today)
    left_phase = days_left(phase.ends_on, today)
    left_sprint = days_left(sprint.ends_on, today) if sprint else None
    remaining = max(target - count, 0)
    deadline_days = left_sprint if left_sprint is not None else left_phase
    return UnitProgress(
        unit=unit, block=block, phase=phase, sprint=sprint, count=count, target=target,
        ratio=count / target if target else None, rank=mine.rank if mine else 1,
        block_size=len(table) or 1, days_left_phase=left_phase, days_left_sprint=left_sprint,
        remaining=remaining, pace_needed=pace_needed(remaining, deadline_days),
    )


async def _count(session: AsyncSession, unit: Unit, phase: Phase, statuses: Sequence[str]) -> int:
    counts = await initiatives.count_by_unit(session, unit_ids=[unit.id], phase_id=phase.id,
                                             statuses=statuses)
    return counts.get(unit.id, 0)

"""One union on the web page: its numbers in its league, who submitted, and its initiatives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import forecast, standings
from handlers.services.dashboard import league_for, league_of
from handlers.services.forecast import Outlook
from handlers.services.league import LeagueRow, LeagueTable
from storage.models import Initiative, Member, Phase, Unit

SHOWN_INITIATIVES = 30


@dataclass(frozen=True)
class Author:
    """A member of the union with initiatives in the phase."""

    name: str
    counted: int
    total: int


@dataclass(frozen=True)
class Line:
    """One initiative as a line of a list."""

    number: str
    title: str
    field: str
    status: str
    created_at: datetime
    author: str
    unit_code: str
    unit_name: str


@dataclass(frozen=True)
class UnitDetail:
    """What the unit page shows."""

    unit: Unit
    phase: Phase
    now: datetime
    table: LeagueTable | None
    row: LeagueRow | None
    outlook: Outlook | None
    authors: list[Author]
    roster: int
    silent: int
    initiatives: list[Line]
    total_initiatives: int


async def unit_detail(session: AsyncSession, *, unit: Unit, now: datetime, tz: ZoneInfo,
                      statuses: Sequence[str]) -> UnitDetail:
    """Gather a union's figures, authors and initiatives in the open (or latest) phase."""
    root = await league_of(session, unit, subtree=False)
    result = await league_for(session, root=root, now=now, today=now.astimezone(tz).date(),
                              statuses=statuses)
    table = next((t for t in result.tables if t.row_of(unit.id)), None)
    outlook = forecast.forecast(result)
    own = next((o for o in outlook.units if o.code == unit.code), None)
    phase = result.phase
    authors = await _authors(session, unit_id=unit.id, phase_id=phase.id, statuses=statuses)
    roster = await _roster(session, unit.id)
    silent = (await standings.silent_counts(session, phase_id=phase.id, unit_ids=[unit.id])
              ).get(unit.id, 0)
    lines, total = await initiative_lines(session, unit_id=unit.id, phase_id=phase.id,
                                          limit=SHOWN_INITIATIVES)
    return UnitDetail(unit=unit, phase=phase, now=now, table=table,
                      row=table.row_of(unit.id) if table else None, outlook=own, authors=authors,
                      roster=roster, silent=silent, initiatives=lines, total_initiatives=total)


async def _authors(session: AsyncSession, *, unit_id: int, phase_id: int,
                   statuses: Sequence[str]) -> list[Author]:
    counted = func.sum(case((Initiative.status.in_(statuses), 1), else_=0))
    stmt = (select(Member.name, counted, func.count(Initiative.id))
            .join(Member, Member.id == Initiative.member_id)
            .where(Initiative.unit_id == unit_id, Initiative.phase_id == phase_id)
            .group_by(Member.id, Member.name)
            .order_by(counted.desc(), Member.name))
    return [Author(name, int(n or 0), int(total)) for name, n, total in
            (await session.execute(stmt)).all()]


async def _roster(session: AsyncSession, unit_id: int) -> int:
    stmt = select(func.count(Member.id)).where(Member.unit_id == unit_id)
    return (await session.execute(stmt)).scalar_one()


async def initiative_lines(session: AsyncSession, *, unit_id: int, phase_id: int,
                           limit: int) -> tuple[list[Line], int]:
    """List a union's initiatives in a phase, newest first, and how many there are in all."""
    stmt = (select(Initiative.number, Initiative.title, Initiative.field, Initiative.status,
                   Initiative.created_at, Member.name, Unit.code, Unit.name)
            .join(Member, Member.id == Initiative.member_id)
            .join(Unit, Unit.id == Initiative.unit_id)
            .where(Initiative.unit_id == unit_id, Initiative.phase_id == phase_id)
            .order_by(Initiative.created_at.desc(), Initiative.id.desc()).limit(limit))
    lines = [Line(number or "", *rest) for number, *rest in (await session.execute(stmt)).all()]
    total = (await session.execute(select(func.count(Initiative.id)).where(
        Initiative.unit_id == unit_id, Initiative.phase_id == phase_id))).scalar_one()
    return lines, total

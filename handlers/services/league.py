"""Fair league tables: each block's unions ranked by count, with the per-size columns beside it.

Rule (docs/reports.md): a union's league is its parent unit (its block, or its district when that
has no blocks). Within a league unions are ranked by the number of counted initiatives in the
phase; equal counts are separated by % of target, then by initiatives per 100 declared members.
Unions equal on all three share a rank and are listed by code. Last week's rank applies the same
rule to what had come in seven days ago; the movement is last week's rank minus today's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.report_scope import WEEK, Scope
from storage.models import Phase, Unit
from storage.repositories import standings
from storage.repositories.standings import UnitTally, share

log = logging.getLogger(__name__)


LeagueRow = UnitTally
"""One union in its league table (the repository's row, with its fair columns)."""


@dataclass(frozen=True)
class LeagueTable:
    """The table of one league (a block)."""

    league_id: int
    code: str
    name: str
    rows: list[LeagueRow]

    @property
    def count(self) -> int:
        """Return the league's total of counted initiatives."""
        return sum(r.count for r in self.rows)

    @property
    def target(self) -> int:
        """Return the sum of the unions' targets."""
        return sum(r.target for r in self.rows)

    @property
    def ratio(self) -> float | None:
        """Return the league's share of its target."""
        return share(self.count, self.target)

    def row_of(self, unit_id: int) -> LeagueRow | None:
        """Return a union's row, if it plays in this league."""
        return next((r for r in self.rows if r.unit_id == unit_id), None)


@dataclass(frozen=True)
class League:
    """Every league table under a scope's root, in one phase."""

    root: Unit
    phase: Phase
    scope: Scope
    tables: list[LeagueTable]

    @property
    def unit_count(self) -> int:
        """Return how many unions the tables hold."""
        return sum(len(t.rows) for t in self.tables)


async def tallies(session: AsyncSession, scope: Scope, statuses: Sequence[str]) -> list[UnitTally]:
    """Return the per-union numbers of a scope (one set-based query)."""
    return await standings.list_units(session, phase_id=scope.phase.id, statuses=statuses,
                                      cut=scope.cut, path=scope.path,
                                      with_before=scope.phase.starts_on <= scope.today - WEEK)


async def league(session: AsyncSession, scope: Scope, *, statuses: Sequence[str]) -> League:
    """Build every league table under the scope's root."""
    rows = await tallies(session, scope, statuses)
    return await tables_from(session, scope, rows)


async def tables_from(session: AsyncSession, scope: Scope, rows: list[UnitTally]) -> League:
    """Group tallies into league tables named after their league unit."""
    groups = [(league_id, list(items)) for league_id, items in
              groupby(rows, key=lambda r: r.league_id)]
    names = await _names(session, [league_id for league_id, _ in groups])
    tables = [LeagueTable(league_id, *names.get(league_id, ("?", "?")),
                          rows=items) for league_id, items in groups]
    tables.sort(key=lambda t: t.code)
    return League(root=scope.root, phase=scope.phase, scope=scope, tables=tables)


async def _names(session: AsyncSession, ids: list[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 5000):
        stmt = select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(ids[start:start + 5000]))
        found |= {row[0]: (row[1], row[2]) for row in (await session.execute(stmt)).all()}
    return found


def table_of(result: League, unit_id: int) -> LeagueTable | None:
    """Return the table a union plays in."""
    return next((t for t in result.tables if t.row_of(unit_id) is not None), None)


def excerpt(table: LeagueTable, unit_id: int | None, *, top: int = 10,
            around: int = 2) -> list[tuple[bool, LeagueRow]]:
    """Pick the rows a chat shows: the top ones and a union's neighbours; True marks a gap before."""
    mine = next((i for i, r in enumerate(table.rows) if r.unit_id == unit_id), None)
    keep = set(range(min(top, len(table.rows))))
    if mine is not None:
        keep |= set(range(max(mine - around, 0), min(mine + around + 1, len(table.rows))))
    shown, previous = [], -1
    for index in sorted(keep):
        shown.append((index != previous + 1, table.rows[index]))
        previous = index
    return shown

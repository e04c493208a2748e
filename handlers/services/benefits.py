"""Declared benefit (giá trị làm lợi) rolled up from unions to blocks, districts and provinces.

The sums are of what members declared on counted initiatives; nobody has checked them yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.report_scope import Scope
from storage.models import Unit, UnitLevel
from storage.repositories.standings import UnitTally, subtree

LEVELS = (UnitLevel.COUNTRY, UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.BLOCK)


@dataclass(frozen=True)
class BenefitLine:
    """The declared benefit and count of initiatives of one unit and everything under it."""

    level: str
    unit_id: int
    code: str
    name: str
    count: int
    benefit_vnd: int
    unions: int


@dataclass(frozen=True)
class Benefits:
    """Benefit per union (largest first) and per unit of every higher level in the scope."""

    scope: Scope
    unions: list[BenefitLine]
    levels: dict[str, list[BenefitLine]]
    total: BenefitLine


async def _upper_units(session: AsyncSession, scope: Scope) -> dict[int, Unit]:
    stmt = select(Unit).where(Unit.level != UnitLevel.GRASSROOTS)
    if scope.path is not None:
        stmt = stmt.where(subtree(scope.path))
    return {u.id: u for u in (await session.execute(stmt)).scalars().all()}


async def roll_up(session: AsyncSession, scope: Scope, rows: Sequence[UnitTally]) -> Benefits:
    """Add each union's numbers into every unit above it, up to the scope's root."""
    upper = await _upper_units(session, scope)
    count: dict[int, int] = defaultdict(int)
    money: dict[int, int] = defaultdict(int)
    unions: dict[int, int] = defaultdict(int)
    for row in rows:
        for ancestor in _ancestors(row.path, upper):
            count[ancestor] += row.count
            money[ancestor] += row.benefit_vnd
            unions[ancestor] += 1
    lines = {uid: BenefitLine(u.level, uid, u.code, u.name, count[uid], money[uid], unions[uid])
             for uid, u in upper.items()}
    levels = {level.value: sorted((ln for ln in lines.values() if ln.level == level),
                                  key=lambda ln: (-ln.benefit_vnd, ln.code))
              for level in LEVELS}
    root = scope.root
    total = lines.get(root.id) or BenefitLine(root.level, root.id, root.code, root.name,
                                              sum(r.count for r in rows),
                                              sum(r.benefit_vnd for r in rows), len(rows))
    own = sorted((BenefitLine(UnitLevel.GRASSROOTS, r.unit_id, r.code, r.name, r.count,
                              r.benefit_vnd, 1) for r in rows),
                 key=lambda ln: (-ln.benefit_vnd, ln.code))
    return Benefits(scope=scope, unions=own, levels={k: v for k, v in levels.items() if v},
                    total=total)


def _ancestors(path: str, upper: dict[int, Unit]) -> list[int]:
    ids = (int(part) for part in path.strip("/").split("/") if part)
    return [uid for uid in ids if uid in upper]

"""Initiatives and counts of them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Initiative, InitiativeStatus, Member, Unit, UnitLevel
from storage.prepared import Prepared, constant
from storage.work import Work


async def list_by_member(session: AsyncSession, member_id: int, limit: int = 20) -> Sequence[Initiative]:
    """List a member's initiatives, newest first."""
    stmt = (select(Initiative).where(Initiative.member_id == member_id)
            .order_by(Initiative.created_at.desc(), Initiative.id.desc()).limit(limit))
    return (await session.execute(stmt)).scalars().all()


async def count_by_member(session: AsyncSession, member_id: int) -> int:
    """Count a member's initiatives."""
    stmt = select(func.count(Initiative.id)).where(Initiative.member_id == member_id)
    return (await session.execute(stmt)).scalar_one()


async def count_by_unit(
    session: AsyncSession, *, unit_ids: Sequence[int], phase_id: int, statuses: Sequence[str]
) -> dict[int, int]:
    """Count the initiatives that count toward targets, per unit."""
    stmt = (select(Initiative.unit_id, func.count(Initiative.id))
            .where(Initiative.unit_id.in_(unit_ids), Initiative.phase_id == phase_id,
                   Initiative.status.in_(statuses))
            .group_by(Initiative.unit_id))
    return dict((await session.execute(stmt)).all())


async def list_with_authors(
    session: AsyncSession, *, phase_id: int | None = None, unit_ids: Sequence[int] | None = None
) -> Sequence[tuple[Initiative, Member, Unit]]:
    """List initiatives with their author and unit, oldest first (for reports)."""
    stmt = (select(Initiative, Member, Unit)
            .join(Member, Member.id == Initiative.member_id)
            .join(Unit, Unit.id == Initiative.unit_id)
            .order_by(Initiative.id))
    if phase_id is not None:
        stmt = stmt.where(Initiative.phase_id == phase_id)
    if unit_ids is not None:
        stmt = stmt.where(Initiative.unit_id.in_(unit_ids))
    return [tuple(row) for row in (await session.execute(stmt)).all()]  # type: ignore[misc]


NOT_COMPARED = (InitiativeStatus.WITHDRAWN, InitiativeStatus.REJECTED)
"""Initiatives left out when titles are compared for near-copies."""


def _titles_in_block() -> object:
    # The unit's block: its deepest ancestor of level `block`, else its parent, else itself
    # (`units.block_of`), read off the materialised paths in the same statement.
    unit, ancestor, units = (Unit.__table__.alias(name) for name in ("u", "a", "own"))
    block_path = (select(ancestor.c.path)
                  .select_from(unit.join(ancestor, and_(unit.c.path.startswith(ancestor.c.path),
                                                        ancestor.c.id != unit.c.id)))
                  .where(unit.c.id == bindparam("unit_id"))
                  .order_by((ancestor.c.level == constant(UnitLevel.BLOCK)).desc(),
                            func.length(ancestor.c.path).desc())
                  .limit(1).scalar_subquery())
    own_path = select(units.c.path).where(units.c.id == bindparam("unit_id")).scalar_subquery()
    not_compared = [constant(status) for status in NOT_COMPARED]
    return (select(Initiative.number, Initiative.title, Initiative.title_folded, Unit.code)
            .join(Unit, Unit.id == Initiative.unit_id)
            .where(Unit.path.startswith(func.coalesce(block_path, own_path)),
                   Initiative.phase_id == bindparam("phase_id"),
                   Initiative.status.not_in(not_compared), Initiative.tech_secret.is_(False)))


_TITLES_IN_BLOCK = Prepared(lambda _: _titles_in_block())


async def titles_in_block(work: Work, *, unit_id: int, phase_id: int
                          ) -> list[tuple[str | None, str, str, str]]:
    """List (number, title, folded title, unit code) of a phase's initiatives in a unit's block.

    Withdrawn, rejected and technology-secret ones are left out. One prepared statement.
    """
    return await work.rows(_TITLES_IN_BLOCK, {"unit_id": unit_id, "phase_id": phase_id})


_T = Initiative.__table__
NEW_COLUMNS = ("title", "title_folded", "field", "content", "effect", "benefit_vnd", "status",
               "member_id", "unit_id", "phase_id", "entered_by_id", "applied_since", "tech_secret",
               "created_at", "updated_at")
"""What a new initiative is given; the rest starts empty."""
_NEW = Prepared(lambda _: insert(_T).values(
    {name: bindparam(name, type_=_T.c[name].type) for name in NEW_COLUMNS}).returning(_T.c.id))
_NUMBER = Prepared(lambda _: update(_T).where(_T.c.id == bindparam("row_id")).values(
    number=bindparam("number"), updated_at=bindparam("at", type_=_T.c.updated_at.type)))
_COUNTS: dict[tuple[str, ...], Prepared] = {}


async def add_numbered(work: Work, values: dict[str, object], *, prefix: str) -> tuple[int, str]:
    """Insert an initiative (`NEW_COLUMNS`) and number it: the prefix and the id, six digits.

    Returns the id and the number.
    """
    (row,) = await work.write(_NEW, values)
    number = f"{prefix}{row[0]:06d}"
    await work.write(_NUMBER, {"row_id": row[0], "number": number, "at": values["updated_at"]})
    return row[0], number


async def count_in_unit(work: Work, *, unit_id: int, phase_id: int,
                        statuses: Sequence[str]) -> int:
    """Count a unit's initiatives in a phase with one of `statuses` (prepared per status set)."""
    key = tuple(sorted(statuses))
    prepared = _COUNTS.get(key)
    if prepared is None:
        prepared = _COUNTS[key] = Prepared(lambda _, key=key: select(func.count()).select_from(_T)
                                           .where(_T.c.unit_id == bindparam("unit_id"),
                                                  _T.c.phase_id == bindparam("phase_id"),
                                                  _T.c.status.in_([constant(s) for s in key])))
    (row,) = await work.rows(prepared, {"unit_id": unit_id, "phase_id": phase_id})
    return row[0]

"""Set-based standings of grassroots unions and authors in a phase: one query per report.

Every union under a subtree (`units.path` prefix) with its counts in a phase, ranked inside its
league (its parent: a block, or a district that has no blocks) now and as it stood a week ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import BigInteger, Float, and_, case, cast, distinct, func, literal, over, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from storage import bulk
from storage.models import Initiative, Member, Target, Unit, UnitLevel


def share(numerator: float, denominator: float) -> float | None:
    """Return numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator > 0 else None


class UnitTally(NamedTuple):
    """One grassroots union's numbers in a phase, with its rank in its league now and a week ago.

    `rank_before` is None when there was no table a week ago (a phase younger than that). A named
    tuple, not a dataclass: a country's table has 126,000 of them and tuples are built 5× faster.
    """

    unit_id: int
    code: str
    name: str
    league_id: int
    path: str
    member_count: int
    target: int
    count: int
    count_before: int
    authors: int
    benefit_vnd: int
    last_at: datetime | None
    rank: int
    rank_before: int | None

    @property
    def ratio(self) -> float | None:
        """Return the share of the target reached (None without a target)."""
        return share(self.count, self.target)

    @property
    def per_100(self) -> float | None:
        """Return initiatives per 100 declared members."""
        value = share(self.count, self.member_count)
        return None if value is None else value * 100

    @property
    def submitted_share(self) -> float | None:
        """Return the share of declared members who submitted at least one initiative."""
        return share(self.authors, self.member_count)

    @property
    def movement(self) -> int | None:
        """Return places gained since last week (negative: lost), None when there was no table."""
        return None if self.rank_before is None else self.rank_before - self.rank


@dataclass(frozen=True, slots=True)
class AuthorTally:
    """One author's numbers in a phase."""

    member_id: int
    name: str
    unit_id: int
    unit_code: str
    unit_name: str
    count: int
    benefit_vnd: int
    last_at: datetime | None


def subtree(path: str) -> ColumnElement[bool]:
    """Match the units under (and including) the unit with this materialised path."""
    return Unit.path.like(f"{path}%")


def _tallies(*, phase_id: int, statuses: Sequence[str], cut: datetime, path: str | None):
    """Per-unit aggregates of a phase's counted initiatives (restricted to a subtree if given)."""
    stmt = (select(Initiative.unit_id.label("unit_id"), func.count().label("n"),
                   func.sum(case((Initiative.created_at < cut, 1), else_=0)).label("n_before"),
                   func.count(distinct(Initiative.member_id)).label("authors"),
                   cast(func.coalesce(func.sum(Initiative.benefit_vnd), 0), BigInteger
                        ).label("benefit"),
                   func.max(Initiative.created_at).label("last_at"))
            .where(Initiative.phase_id == phase_id, Initiative.status.in_(statuses))
            .group_by(Initiative.unit_id))
    if path is not None:
        stmt = stmt.join(Unit, Unit.id == Initiative.unit_id).where(subtree(path))
    return stmt.subquery("tallies")


def ratio(numerator: ColumnElement[int], denominator: ColumnElement[int],
          scale: float = 1.0) -> ColumnElement[float]:
    """Return numerator × scale / denominator, or -1 when the denominator is 0 (so it sorts last)."""
    return case((denominator > 0, cast(numerator, Float) * scale / denominator),
                else_=literal(-1.0))


def league_order(count: ColumnElement[int], target: ColumnElement[int],
                 members: ColumnElement[int]) -> list[ColumnElement[float]]:
    """The league rule: count, then % of target, then initiatives per 100 members (all desc)."""
    return [count.desc(), ratio(count, target).desc(), ratio(count, members, 100.0).desc()]


def unit_rows(*, phase_id: int, statuses: Sequence[str], cut: datetime, path: str | None) -> Select:
    """Select every grassroots union under `path` with its tallies and both league ranks."""
    t = _tallies(phase_id=phase_id, statuses=statuses, cut=cut, path=path)
    n, nb = func.coalesce(t.c.n, 0), func.coalesce(t.c.n_before, 0)
    target = func.coalesce(Target.target, 0)
    rank = over(func.rank(), partition_by=Unit.parent_id,
                order_by=league_order(n, target, Unit.member_count))
    rank_before = over(func.rank(), partition_by=Unit.parent_id,
                       order_by=league_order(nb, target, Unit.member_count))
    stmt = (select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.path, Unit.member_count,
                   target.label("target"), n.label("n"), nb.label("n_before"),
                   func.coalesce(t.c.authors, 0).label("authors"),
                   func.coalesce(t.c.benefit, 0).label("benefit"),
                   literal(None).label("last_at"), rank.label("rank"),
                   rank_before.label("rank_before"))
            .outerjoin(t, t.c.unit_id == Unit.id)
            .outerjoin(Target, and_(Target.unit_id == Unit.id, Target.phase_id == phase_id))
            .where(Unit.level == UnitLevel.GRASSROOTS))
    return stmt.where(subtree(path)) if path is not None else stmt


async def list_units(session: AsyncSession, *, phase_id: int, statuses: Sequence[str],
                     cut: datetime, path: str | None, with_before: bool = True) -> list[UnitTally]:
    """List the unions under `path` (None: all), by league, rank and code.

    The country has 126,000 unions, so rows come through the bulk read path (bench/reports.py).
    """
    inner = unit_rows(phase_id=phase_id, statuses=statuses, cut=cut, path=path).subquery()
    stmt = select(inner).order_by(inner.c.parent_id, inner.c.rank, inner.c.code)
    rows = await bulk.fetch_all(session, stmt)
    make = UnitTally._make  # tuple.__new__ underneath, cheaper than UnitTally(*row)
    with bulk.gc_paused():
        if with_before:
            return [make(row) for row in rows]
        return [make((*row[:13], None)) for row in rows]


async def list_authors(session: AsyncSession, *, phase_id: int, statuses: Sequence[str],
                       path: str | None, order: Sequence[str], limit: int) -> list[AuthorTally]:
    """List the top authors of a phase under `path` by `order` (initiatives, benefit)."""
    n = func.count().label("n")
    benefit = func.coalesce(func.sum(Initiative.benefit_vnd), 0).label("benefit")
    last_at = func.max(Initiative.created_at).label("last_at")
    keys = {"initiatives": n.desc(), "benefit": benefit.desc()}
    top = (select(Initiative.member_id, n, benefit, last_at)
           .where(Initiative.phase_id == phase_id, Initiative.status.in_(statuses))
           .group_by(Initiative.member_id)
           .order_by(*[keys[k] for k in order], last_at.asc(), Initiative.member_id.asc())
           .limit(limit))
    if path is not None:
        top = top.join(Unit, Unit.id == Initiative.unit_id).where(subtree(path))
    top_q = top.subquery()
    stmt = (select(top_q.c.member_id, Member.name, Unit.id, Unit.code, Unit.name, top_q.c.n,
                   top_q.c.benefit, top_q.c.last_at)
            .join(Member, Member.id == top_q.c.member_id).join(Unit, Unit.id == Member.unit_id))
    rows = [AuthorTally(*row) for row in (await session.execute(stmt)).all()]
    return sorted(rows, key=lambda r: author_key(r, order))


def author_key(row: AuthorTally, order: Sequence[str]) -> tuple[float, ...]:
    """Sort key of an author: the configured keys, then who got there first, then the id."""
    values = {"initiatives": -row.count, "benefit": -row.benefit_vnd}
    last = row.last_at.timestamp() if row.last_at else float("inf")
    return (*[float(values[k]) for k in order], last, float(row.member_id))


def collective_keys(n: ColumnElement[int], target: ColumnElement[int], members: ColumnElement[int],
                    authors: ColumnElement[int], benefit: ColumnElement[int]
                    ) -> dict[str, ColumnElement[float]]:
    """The award keys a collective can be ranked by, as SQL expressions."""
    return {"percent_of_target": ratio(n, target), "per_100_members": ratio(n, members, 100.0),
            "count": n, "share_submitted": ratio(authors, members), "benefit": benefit}


async def list_top_units(session: AsyncSession, *, phase_id: int, statuses: Sequence[str],
                         cut: datetime, path: str | None, order: Sequence[str],
                         limit: int) -> list[UnitTally]:
    """List the unions with counted initiatives ranked by the award keys in `order`.

    After those keys: who reached its count first, then the code. `rank` is the place.
    """
    t = _tallies(phase_id=phase_id, statuses=statuses, cut=cut, path=path)
    target = func.coalesce(Target.target, 0)
    keys = collective_keys(t.c.n, target, Unit.member_count, t.c.authors, t.c.benefit)
    stmt = (select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.path, Unit.member_count,
                   target, t.c.n, t.c.n_before, t.c.authors, t.c.benefit, t.c.last_at)
            .join(t, t.c.unit_id == Unit.id)
            .outerjoin(Target, and_(Target.unit_id == Unit.id, Target.phase_id == phase_id))
            .where(Unit.level == UnitLevel.GRASSROOTS)
            .order_by(*[keys[k].desc() for k in order], t.c.last_at.asc(), Unit.code.asc())
            .limit(limit))
    rows = (await session.execute(stmt)).all()
    return [UnitTally(*row, rank=place, rank_before=0) for place, row in enumerate(rows, 1)]


@dataclass(frozen=True, slots=True)
class SilentMember:
    """A member on a roster with no initiative in a phase."""

    name: str
    role: str
    unit_code: str
    unit_name: str


async def list_silent(session: AsyncSession, *, phase_id: int, path: str | None,
                      limit: int | None = None) -> list[SilentMember]:
    """List the roster members under `path` with no initiative in the phase, by unit and name."""
    has_one = (select(Initiative.id).where(Initiative.member_id == Member.id,
                                           Initiative.phase_id == phase_id).exists())
    stmt = (select(Member.name, Member.role, Unit.code, Unit.name)
            .join(Unit, Unit.id == Member.unit_id)
            .where(~has_one, Unit.level == UnitLevel.GRASSROOTS)
            .order_by(Unit.code, Member.name, Member.id).limit(limit))
    if path is not None:
        stmt = stmt.where(subtree(path))
    return [SilentMember(*row) for row in (await session.execute(stmt)).all()]

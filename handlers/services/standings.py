"""Every grassroots union's standing in the open phase, computed set-based (a few queries in all).

Scheduled outreach needs the figures of thousands of units at once; `progress.unit_progress`
answers one unit at a time. Ranks follow `progress.league_table` (count, then % of target).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.progress import days_left, pace_needed
from storage.models import Initiative, Member, Phase, Sprint, Target, Unit, UnitLevel
from storage.repositories import phases
from storage.upsert import dialect_name

WEEK = timedelta(days=7)
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Standing:
    """One grassroots union's figures in the open phase."""

    unit_id: int
    code: str
    name: str
    block_id: int | None
    member_count: int
    count: int
    target: int
    week_count: int
    yesterday_count: int
    pending_review: int
    rank: int = 0
    block_size: int = 0
    lagging: bool = False
    remaining: int = 0
    pace_needed: int = 0

    @property
    def ratio(self) -> float | None:
        """Return the share of the target reached, or None without a target."""
        return self.count / self.target if self.target else None

    @property
    def reached(self) -> bool:
        """Tell whether the unit has reached its target."""
        return self.target > 0 and self.count >= self.target


@dataclass(frozen=True)
class Snapshot:
    """The open phase on one day: its sprint, its blocks and the standing of every union."""

    phase: Phase
    sprint: Sprint | None
    today: date
    days_left_phase: int
    days_left_sprint: int | None
    expected_ratio: float
    units: dict[int, Standing]
    blocks: dict[int, Unit] = field(default_factory=dict)
    others: dict[int, Unit] = field(default_factory=dict)
    """Every unit that is not a grassroots union (district, blocks...), by id."""

    def in_block(self, block_id: int) -> list[Standing]:
        """List a block's unions by rank."""
        rows = [s for s in self.units.values() if s.block_id == block_id]
        return sorted(rows, key=lambda s: (s.rank, s.code))

    def under(self, unit: Unit) -> list[Unit]:
        """List the blocks at or under `unit` (a district sees its blocks), by code."""
        return sorted((b for b in self.blocks.values() if b.path.startswith(unit.path)),
                      key=lambda b: b.code)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the start and end of a local day as aware times."""
    start = datetime.combine(day, time(0), tz)
    return start, start + timedelta(days=1)


async def snapshot(session: AsyncSession, *, today: date, tz: ZoneInfo, statuses: Sequence[str],
                   lagging_share: float, block_id: int | None = None) -> Snapshot | None:
    """Compute the standing of every grassroots union (or of one block's); None with no open phase."""
    phase = await phases.get_open(session)
    if phase is None:
        return None
    sprint = await phases.get_sprint_on(session, phase.id, today)
    others = await _other_units(session)
    blocks = {u.id: u for u in others.values() if u.level == UnitLevel.BLOCK}
    scope = None if block_id is None else (blocks.get(block_id) or others[block_id]).path
    rows = await _figures(session, phase=phase, today=today, tz=tz, statuses=statuses, scope=scope)
    expected = _expected_ratio(phase, today)
    deadline = days_left(sprint.ends_on, today) if sprint else days_left(phase.ends_on, today)
    ranked = _rank(rows, others=others, blocks=blocks, deadline=deadline,
                   threshold=lagging_share * expected)
    return Snapshot(phase=phase, sprint=sprint, today=today,
                    days_left_phase=days_left(phase.ends_on, today),
                    days_left_sprint=days_left(sprint.ends_on, today) if sprint else None,
                    expected_ratio=expected, units={s.unit_id: s for s in ranked},
                    blocks=blocks, others=others)


def _expected_ratio(phase: Phase, today: date) -> float:
    """Share of the phase already behind us at the start of `today` (a steady pace's % of plan)."""
    total = (phase.ends_on - phase.starts_on).days + 1
    passed = min(max((today - phase.starts_on).days, 0), total)
    return passed / total if total > 0 else 1.0


async def _other_units(session: AsyncSession) -> dict[int, Unit]:
    stmt = select(Unit).where(Unit.level != UnitLevel.GRASSROOTS)
    return {u.id: u for u in (await session.execute(stmt)).scalars().all()}


def _block_id(path: str, others: dict[int, Unit], blocks: dict[int, Unit]) -> int | None:
    """The nearest block ancestor, else the parent (as `units.block_of` does)."""
    ancestors = [int(part) for part in path.strip("/").split("/") if part][:-1]
    for ancestor in reversed(ancestors):
        if ancestor in blocks:
            return ancestor
    return ancestors[-1] if ancestors and ancestors[-1] in others else None


async def _figures(session: AsyncSession, *, phase: Phase, today: date, tz: ZoneInfo,
                   statuses: Sequence[str], scope: str | None) -> list[Any]:
    """List one row per union: target, counting initiatives, this past week's, yesterday's, pending.

    One query, whatever the number of unions.
    """
    day_start, _ = day_bounds(today, tz)
    counting = Initiative.status.in_(statuses)

    def within(since: datetime) -> Any:
        return func.sum(case((and_(counting, Initiative.created_at >= since,
                                   Initiative.created_at < day_start), 1), else_=0))

    work = (select(Initiative.unit_id.label("unit_id"),
                   func.sum(case((counting, 1), else_=0)).label("count"),
                   within(day_start - WEEK).label("week"),
                   within(day_start - timedelta(days=1)).label("yesterday"),
                   func.sum(case((Initiative.status == "submitted", 1), else_=0)).label("pending"))
            .where(Initiative.phase_id == phase.id).group_by(Initiative.unit_id)).subquery()
    stmt = (select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.member_count,
                   func.coalesce(Target.target, 0), func.coalesce(work.c.count, 0),
                   func.coalesce(work.c.week, 0), func.coalesce(work.c.yesterday, 0),
                   func.coalesce(work.c.pending, 0))
            .outerjoin(Target, and_(Target.unit_id == Unit.id, Target.phase_id == phase.id))
            .outerjoin(work, work.c.unit_id == Unit.id)
            .where(Unit.level == UnitLevel.GRASSROOTS))
    if scope is not None:
        stmt = stmt.where(Unit.path.startswith(scope))
    return list((await session.execute(stmt)).all())


def _rank(rows: list[Any], *, others: dict[int, Unit], blocks: dict[int, Unit], deadline: int,
          threshold: float) -> list[Standing]:
    """Rank each block's unions (ties on count share a rank), flag laggards, add the pace needed."""
    by_block: dict[int | None, list[Any]] = {}
    for row in rows:
        by_block.setdefault(_block_id(row[3], others, blocks), []).append(row)
    ranked: list[Standing] = []
    for block_id, peers in by_block.items():
        peers.sort(key=lambda r: (-r[6], -(r[6] / r[5] if r[5] else 0.0), r[1]))
        rank = 0
        for index, (unit_id, code, name, _path, size, target, count, week, yesterday,
                    pending) in enumerate(peers):
            if index == 0 or peers[index - 1][6] != count:
                rank = index + 1
            remaining = max(target - count, 0)
            ranked.append(Standing(
                unit_id=unit_id, code=code, name=name, block_id=block_id, member_count=size,
                count=int(count), target=int(target), week_count=int(week),
                yesterday_count=int(yesterday), pending_review=int(pending), rank=rank,
                block_size=len(peers), remaining=remaining,
                lagging=target > 0 and remaining > 0 and count / target < threshold,
                pace_needed=pace_needed(remaining, deadline)))
    return ranked


async def silent_counts(session: AsyncSession, *, phase_id: int,
                        unit_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Count, per unit, the members with no initiative at all in a phase."""
    has_one = exists().where(Initiative.member_id == Member.id, Initiative.phase_id == phase_id)
    stmt = select(Member.unit_id, func.count(Member.id)).where(~has_one).group_by(Member.unit_id)
    if unit_ids is not None:
        stmt = stmt.where(Member.unit_id.in_(unit_ids))
    return dict((await session.execute(stmt)).all())  # type: ignore[arg-type]


async def week_contributors(session: AsyncSession, *, phase_id: int, since: datetime,
                            until: datetime, statuses: Sequence[str]) -> dict[int, list[str]]:
    """List, per unit, the members who registered counting initiatives in [since, until), most first.

    The names are joined in SQL (one row per unit, not per member) to keep thousands of unions fast.
    """
    per_member = (select(Initiative.unit_id.label("unit_id"), Member.name.label("name"),
                         func.count(Initiative.id).label("n"))
                  .join(Member, Member.id == Initiative.member_id)
                  .where(Initiative.phase_id == phase_id, Initiative.status.in_(statuses),
                         Initiative.created_at >= since, Initiative.created_at < until)
                  .group_by(Initiative.unit_id, Member.id, Member.name))
    if dialect_name(session) == "postgresql":
        inner = per_member.subquery()
        joined = func.string_agg(inner.c.name, aggregate_order_by(
            literal(SEPARATOR), inner.c.n.desc(), inner.c.name))
        stmt = select(inner.c.unit_id, joined).group_by(inner.c.unit_id)
    else:  # SQLite's group_concat keeps the order of the ordered subquery it reads
        inner = per_member.order_by(Initiative.unit_id, func.count(Initiative.id).desc(),
                                    Member.name).subquery()
        stmt = select(inner.c.unit_id, func.group_concat(inner.c.name, SEPARATOR)).group_by(
            inner.c.unit_id)
    return {unit_id: names.split(SEPARATOR) for unit_id, names in (await session.execute(stmt)).all()}


async def counts_between(session: AsyncSession, *, phase_id: int, since: datetime, until: datetime,
                         statuses: Sequence[str]) -> dict[int, int]:
    """Count, per unit, the counting initiatives registered in [since, until)."""
    stmt = (select(Initiative.unit_id, func.count(Initiative.id))
            .where(Initiative.phase_id == phase_id, Initiative.status.in_(statuses),
                   Initiative.created_at >= since, Initiative.created_at < until)
            .group_by(Initiative.unit_id))
    return dict((await session.execute(stmt)).all())  # type: ignore[arg-type]

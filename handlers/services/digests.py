"""Digests as data: a union's day for its officers, the district's blocks for staff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import standings
from handlers.services.standings import Snapshot, Standing
from storage.models import Target, Unit

LAGGING_SHOWN = 15


@dataclass(frozen=True)
class UnitDigest:
    """An officer's daily digest of their union."""

    standing: Standing
    block_name: str
    phase_name: str
    day: date
    """The day the new initiatives were registered (yesterday)."""
    silent: int
    days_left: int
    sprint_name: str | None


@dataclass(frozen=True)
class BlockSummary:
    """A block's totals for the district digest."""

    code: str
    name: str
    count: int
    target: int
    week_count: int
    units: int
    lagging: list[Standing]
    forecast_ratio: float | None

    @property
    def ratio(self) -> float | None:
        """Return the share of the block's target reached."""
        return self.count / self.target if self.target else None


def unit_digest(snap: Snapshot, standing: Standing, silent: int) -> UnitDigest:
    """Build an officer's digest from the day's snapshot."""
    block = snap.blocks.get(standing.block_id or 0) or snap.others.get(standing.block_id or 0)
    return UnitDigest(standing=standing, block_name=block.name if block else "",
                      phase_name=snap.phase.name, day=date.fromordinal(snap.today.toordinal() - 1),
                      silent=silent,
                      days_left=snap.days_left_sprint if snap.days_left_sprint is not None
                      else snap.days_left_phase,
                      sprint_name=snap.sprint.name if snap.sprint else None)


async def digest_for_unit(session: AsyncSession, *, unit: Unit, today: date, tz: ZoneInfo,
                          statuses: Sequence[str], lagging_share: float) -> UnitDigest | None:
    """Build one union's digest now (the officer's /baocao); None with no open phase."""
    from storage.repositories import units

    block = await units.block_of(session, unit)
    snap = await standings.snapshot(session, today=today, tz=tz, statuses=statuses,
                                    lagging_share=lagging_share,
                                    block_id=block.id if block else None)
    if snap is None or unit.id not in snap.units:
        return None
    silent = await standings.silent_counts(session, phase_id=snap.phase.id, unit_ids=[unit.id])
    return unit_digest(snap, snap.units[unit.id], silent.get(unit.id, 0))


async def block_targets(session: AsyncSession, snap: Snapshot) -> dict[int, int]:
    """Return each block's own target for the phase, where one was set."""
    ids = list(snap.blocks)
    if not ids:
        return {}
    stmt = select(Target.unit_id, Target.target).where(Target.phase_id == snap.phase.id,
                                                       Target.unit_id.in_(ids))
    return dict((await session.execute(stmt)).all())  # type: ignore[arg-type]


def block_summary(snap: Snapshot, block: Unit, own_target: int | None) -> BlockSummary:
    """Sum a block's unions; forecast its end-of-phase % at the pace of the last 7 days."""
    rows = snap.in_block(block.id)
    count = sum(s.count for s in rows)
    target = own_target or sum(s.target for s in rows)
    week = sum(s.week_count for s in rows)
    forecast = count + week / 7 * snap.days_left_phase
    lagging = sorted((s for s in rows if s.lagging), key=lambda s: (s.ratio or 0.0, s.code))
    return BlockSummary(code=block.code, name=block.name, count=count, target=target,
                        week_count=week, units=len(rows), lagging=lagging[:LAGGING_SHOWN],
                        forecast_ratio=forecast / target if target else None)

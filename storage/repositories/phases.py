"""Phases, sprints and targets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Phase, PhaseStatus, Sprint, Target


async def get_open(session: AsyncSession) -> Phase | None:
    """Return the phase that is open for new initiatives, if any."""
    stmt = select(Phase).where(Phase.status == PhaseStatus.OPEN).order_by(Phase.number).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_next_planned(session: AsyncSession) -> Phase | None:
    """Return the next phase that has not opened yet."""
    stmt = (select(Phase).where(Phase.status == PhaseStatus.PLANNED)
            .order_by(Phase.starts_on).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_all(session: AsyncSession) -> Sequence[Phase]:
    """List every phase by number."""
    return (await session.execute(select(Phase).order_by(Phase.number))).scalars().all()


async def get_sprint_on(session: AsyncSession, phase_id: int, day: date) -> Sprint | None:
    """Return the sprint of a phase running on `day`, if any."""
    stmt = select(Sprint).where(Sprint.phase_id == phase_id, Sprint.starts_on <= day,
                                Sprint.ends_on >= day).order_by(Sprint.starts_on).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_target(session: AsyncSession, *, unit_id: int, phase_id: int) -> int | None:
    """Return a unit's own target for a phase, if one was set."""
    stmt = select(Target.target).where(Target.unit_id == unit_id, Target.phase_id == phase_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def sum_targets(session: AsyncSession, *, unit_ids: Sequence[int], phase_id: int) -> int:
    """Add up the targets of several units for a phase."""
    stmt = select(func.coalesce(func.sum(Target.target), 0)).where(
        Target.unit_id.in_(unit_ids), Target.phase_id == phase_id)
    return int((await session.execute(stmt)).scalar_one())

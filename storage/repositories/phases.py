"""Phases, sprints and targets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Phase, PhaseStatus, Sprint, Target
from storage.prepared import Prepared, constant
from storage.work import Work

_OPEN = select(Phase).where(Phase.status == PhaseStatus.OPEN).order_by(Phase.number).limit(1)
"""Built once: asked three times in every registration dialog (building it cost more than SQLite
spends running it)."""


_OPEN_ID = Prepared(lambda _: select(Phase.id).where(Phase.status == constant(PhaseStatus.OPEN))
                    .order_by(Phase.number).limit(1))


async def open_id(work: Work) -> int | None:
    """Return the id of the phase open for new initiatives, if any (prepared, no ORM)."""
    rows = await work.rows(_OPEN_ID, {})
    return rows[0][0] if rows else None


async def get_open(session: AsyncSession) -> Phase | None:
    """Return the phase that is open for new initiatives, if any."""
    return (await session.execute(_OPEN)).scalar_one_or_none()


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


async def get_by_number(session: AsyncSession, number: int) -> Phase | None:
    """Return a phase by its number."""
    stmt = select(Phase).where(Phase.number == number)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, phase: Phase) -> Phase:
    """Add a phase and give it an id."""
    session.add(phase)
    await session.flush()
    return phase


async def add_sprint(session: AsyncSession, sprint: Sprint) -> Sprint:
    """Add a sprint and give it an id."""
    session.add(sprint)
    await session.flush()
    return sprint


async def list_sprints(session: AsyncSession, phase_id: int) -> Sequence[Sprint]:
    """List the sprints of a phase by start date."""
    stmt = select(Sprint).where(Sprint.phase_id == phase_id).order_by(Sprint.starts_on, Sprint.id)
    return (await session.execute(stmt)).scalars().all()


async def get_target_row(session: AsyncSession, *, unit_id: int, phase_id: int) -> Target | None:
    """Return the target row of a unit in a phase, if one was set."""
    stmt = select(Target).where(Target.unit_id == unit_id, Target.phase_id == phase_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_targets(session: AsyncSession, phase_id: int) -> dict[int, int]:
    """Return every target of a phase, by unit id."""
    stmt = select(Target.unit_id, Target.target).where(Target.phase_id == phase_id)
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def list_target_rows(session: AsyncSession, *, phase_ids: Sequence[int]
                           ) -> dict[tuple[int, int], tuple[int, int]]:
    """Return the targets of some phases: (unit id, phase id) → (target row id, target)."""
    stmt = select(Target.id, Target.unit_id, Target.phase_id, Target.target).where(
        Target.phase_id.in_(phase_ids))
    return {(unit_id, phase_id): (row_id, target)
            for row_id, unit_id, phase_id, target in (await session.execute(stmt)).all()}


async def count_targets(session: AsyncSession, phase_id: int) -> int:
    """Count the units that have a target in a phase."""
    stmt = select(func.count(Target.id)).where(Target.phase_id == phase_id)
    return int((await session.execute(stmt)).scalar_one())

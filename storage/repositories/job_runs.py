"""The job-run ledger: one row per (job, slot), inserted by the worker that claims the slot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRun, JobRunState, JobState
from storage.upsert import insert_ignore


async def claim(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a run for `(job_name, slot)`; None when another worker already holds that slot.

    On PostgreSQL a concurrent claimer waits for the holder's transaction, then gets None.
    """
    return await insert_ignore(session, JobRun, values, conflict=("job_name", "slot"))


async def reclaim_failed(session: AsyncSession, *, job_name: str, slot: datetime,
                         values: dict[str, Any]) -> int | None:
    """Take over a slot whose earlier run failed; None when it did not fail (or someone else won)."""
    stmt = (update(JobRun).where(JobRun.job_name == job_name, JobRun.slot == slot,
                                 JobRun.state == JobRunState.FAILED)
            .values(**values).returning(JobRun.id))
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, *, job_name: str, slot: datetime) -> JobRun | None:
    """Return the run of one slot."""
    stmt = select(JobRun).where(JobRun.job_name == job_name, JobRun.slot == slot)
    return (await session.execute(stmt)).scalar_one_or_none()


async def finish(session: AsyncSession, run_id: int, values: dict[str, Any]) -> None:
    """Record how a claimed run ended."""
    await session.execute(update(JobRun).where(JobRun.id == run_id).values(**values))


async def remove(session: AsyncSession, run_id: int) -> None:
    """Drop a claim (a job that records only the runs that did something)."""
    await session.execute(delete(JobRun).where(JobRun.id == run_id))


async def last_slot(session: AsyncSession, job_name: str) -> datetime | None:
    """Return the latest slot recorded for a job."""
    stmt = select(func.max(JobRun.slot)).where(JobRun.job_name == job_name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest(session: AsyncSession, job_names: Sequence[str]) -> dict[str, JobRun]:
    """Return each job's most recent run (by slot)."""
    found: dict[str, JobRun] = {}
    for name in job_names:
        stmt = (select(JobRun).where(JobRun.job_name == name)
                .order_by(JobRun.slot.desc()).limit(1))
        row = (await session.execute(stmt)).scalar_one_or_none()
        if row is not None:
            found[name] = row
    return found


async def paused(session: AsyncSession) -> set[str]:
    """Return the names of the paused jobs."""
    stmt = select(JobState.job_name).where(JobState.paused.is_(True))
    return set((await session.execute(stmt)).scalars().all())


async def set_paused(session: AsyncSession, job_name: str, *, paused: bool, by: str,
                     at: datetime) -> None:
    """Pause or resume a job for every worker."""
    stmt = select(JobState).where(JobState.job_name == job_name).with_for_update()
    state = (await session.execute(stmt)).scalar_one_or_none()
    if state is None:
        await insert_ignore(session, JobState, {"job_name": job_name, "paused": paused,
                                                "changed_by": by[:64], "changed_at": at},
                            conflict=("job_name",))
        state = (await session.execute(stmt)).scalar_one()
    state.paused, state.changed_by, state.changed_at = paused, by[:64], at
    await session.flush()

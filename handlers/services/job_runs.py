"""The job-run ledger: each (job, slot) claimed once by one worker, its outcome, and pauses.

Jobs and the operators' `jobs` commands reach the ledger only through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRun, JobRunState
from storage.repositories import job_runs as repo

State = JobRunState
Run = JobRun


async def claim(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Claim `(job_name, slot)`, or take over a failed run of it; None when another holds it."""
    return await repo.claim(session, values) or await repo.reclaim_failed(
        session, job_name=values["job_name"], slot=values["slot"], values=values)


async def record(session: AsyncSession, values: dict[str, Any]) -> None:
    """Record a slot that did not run (skipped, missed, failed), unless one is recorded."""
    await repo.claim(session, values)


async def get(session: AsyncSession, *, job_name: str, slot: datetime) -> JobRun | None:
    """Return the run of one slot."""
    return await repo.get(session, job_name=job_name, slot=slot)


async def finish(session: AsyncSession, run_id: int, values: dict[str, Any]) -> None:
    """Record how a claimed run ended."""
    await repo.finish(session, run_id, values)


async def remove(session: AsyncSession, run_id: int) -> None:
    """Drop a claim (a job that records only the runs that did something)."""
    await repo.remove(session, run_id)


async def last_slot(session: AsyncSession, job_name: str) -> datetime | None:
    """Return the latest slot recorded for a job."""
    return await repo.last_slot(session, job_name)


async def latest(session: AsyncSession, job_names: Sequence[str]) -> dict[str, JobRun]:
    """Return each job's most recent run."""
    return await repo.latest(session, job_names)


async def paused(session: AsyncSession) -> set[str]:
    """Return the names of the paused jobs."""
    return await repo.paused(session)


async def set_paused(session: AsyncSession, job_name: str, *, paused: bool, by: str,
                     at: datetime) -> None:
    """Pause or resume a job for every worker."""
    await repo.set_paused(session, job_name, paused=paused, by=by, at=at)

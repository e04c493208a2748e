"""Operators' view of the jobs: list with next run and last result, pause, resume, run now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.services import job_runs
from handlers.services.transactions import unit_of_work
from schedules import slots
from schedules.context import JobContext
from schedules.registry import JobSpec
from schedules.runner import Outcome, fire


@dataclass(frozen=True)
class JobStatus:
    """One line of `sangkien jobs list`."""

    name: str
    cron: str
    enabled: bool
    paused: bool
    next_run: datetime | None
    last_slot: datetime | None
    last_state: str | None
    last_count: int
    last_result: dict[str, Any]


async def list_jobs(ctx: JobContext, specs: Mapping[str, JobSpec]) -> list[JobStatus]:
    """Describe every job: when it runs next, and how its last slot ended."""
    async with unit_of_work(ctx.sessions) as session:
        paused = await job_runs.paused(session)
        last = await job_runs.latest(session, list(specs))
    now = ctx.clock.now()
    found = []
    for name, spec in specs.items():
        run = last.get(name)
        running = spec.enabled and name not in paused
        found.append(JobStatus(
            name=name, cron=spec.cron, enabled=spec.enabled, paused=name in paused,
            next_run=slots.following(spec.cron, ctx.programme.tz, now) if running else None,
            last_slot=run.slot if run else None, last_state=run.state if run else None,
            last_count=run.count if run else 0, last_result=dict(run.result or {}) if run else {}))
    return found


async def set_paused(ctx: JobContext, name: str, *, paused: bool, by: str) -> None:
    """Pause or resume a job on every worker (they read it at each fire)."""
    async with unit_of_work(ctx.sessions) as session:
        await job_runs.set_paused(session, name, paused=paused, by=by, at=ctx.clock.now())


async def run_now(ctx: JobContext, spec: JobSpec, at: datetime | None = None) -> Outcome:
    """Fire a job by hand for the slot `at` (default: now) belongs to."""
    return await fire(ctx, spec, at or ctx.clock.now(), manual=True)

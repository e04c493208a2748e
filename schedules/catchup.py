"""Catch-up after downtime.

A missed slot still inside its grace window runs once; older ones are recorded as missed and never
sent late. A job that records only the runs that sent something (the every-minute broadcast
check) has no trail of slots to settle: its newest slot runs once, so a broadcast that fell due
while every worker was down (or restarting) leaves at start-up, not a slot later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from handlers.services import job_runs
from handlers.services.job_runs import State as JobRunState
from handlers.services.transactions import unit_of_work
from schedules import slots
from schedules.context import JobContext
from schedules.registry import JobSpec
from schedules.runner import Outcome, record, run_slot

log = logging.getLogger(__name__)

MAX_MISSED_RECORDED = 100


async def catch_up(ctx: JobContext, specs: Iterable[JobSpec], *, now: datetime | None = None
                   ) -> list[Outcome]:
    """Look at each job's last recorded slot against its cron, and settle the slots since."""
    now = now or ctx.clock.now()
    outcomes: list[Outcome] = []
    for spec in specs:
        if spec.enabled:
            outcomes += await _catch_up_one(ctx, spec, now)
    return outcomes


async def _catch_up_one(ctx: JobContext, spec: JobSpec, now: datetime) -> list[Outcome]:
    tz = ctx.programme.tz
    async with unit_of_work(ctx.sessions) as session:
        last = await job_runs.last_slot(session, spec.name)
    if last is None or not spec.record_empty:
        latest = slots.previous(spec.cron, tz, now)
        pending = [latest] if latest is not None else []
    else:
        pending = slots.between(spec.cron, tz, last, now, limit=MAX_MISSED_RECORDED)
    outcomes = [await record(ctx, spec, slot, JobRunState.MISSED, reason="downtime")
                for slot in pending[:-1]]
    if pending:
        newest = pending[-1]
        if now - newest <= spec.grace:
            log.info("catching up job %s slot %s", spec.name, newest.isoformat())
            outcomes.append(await run_slot(ctx, spec, newest, at=now))
        else:
            outcomes.append(await record(ctx, spec, newest, JobRunState.MISSED,
                                         reason="past_grace"))
    return outcomes

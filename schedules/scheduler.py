"""The APScheduler 3 wiring.

In-memory jobs (never shared between schedulers), coalesced, one instance at a time, each firing
the runner for the slot it belongs to.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handlers.services import transactions
from schedules import slots
from schedules.catchup import catch_up
from schedules.context import JobContext
from schedules.registry import JobSpec
from schedules.runner import fire

log = logging.getLogger(__name__)

CATCH_UP_ATTEMPTS = 5


def build_scheduler(ctx: JobContext, specs: Iterable[JobSpec]) -> AsyncIOScheduler:
    """Load the enabled specs into a scheduler (not started)."""
    tz = ctx.programme.tz
    scheduler = AsyncIOScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1})
    for spec in specs:
        if not spec.enabled:
            continue
        scheduler.add_job(_fire, slots.trigger(spec.cron, tz), args=(ctx, spec), id=spec.name,
                          name=spec.name, coalesce=True, max_instances=1,
                          misfire_grace_time=int(spec.grace.total_seconds()),
                          replace_existing=True)
    return scheduler


async def start_scheduler(ctx: JobContext, specs: Iterable[JobSpec]) -> AsyncIOScheduler:
    """Settle the slots missed while down, then start firing on time."""
    specs = list(specs)
    try:
        # Slots are claimed once, so catching up again is safe; a worker must not die of a
        # database that is restarting as it starts.
        await transactions.retry_transient(lambda: catch_up(ctx, specs),
                                           attempts=CATCH_UP_ATTEMPTS, base=0.5, cap=5.0)
    except Exception:
        log.exception("catching up missed job slots failed; the scheduler starts anyway")
    scheduler = build_scheduler(ctx, specs)
    scheduler.start()
    log.info("scheduler started: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    return scheduler


async def _fire(ctx: JobContext, spec: JobSpec) -> None:
    # The entry point of a scheduled run: a bug is logged here, never raised into APScheduler.
    try:
        await fire(ctx, spec, ctx.clock.now())
    except Exception:
        log.exception("scheduled job %s failed", spec.name)

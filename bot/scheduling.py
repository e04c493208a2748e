"""Wiring of the scheduled jobs into an app: their context, the console's `:run`, the scheduler."""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from handlers.services.quota import MonthlyQuotas
from schedules.context import JobContext, make_context
from schedules.control import run_now
from schedules.registry import JobSpec, build_registry
from schedules.scheduler import start_scheduler

log = logging.getLogger(__name__)

RUN_KEY = "__run__"


def job_context(app: App) -> JobContext:
    """Build the context jobs run in on this app (its sessions, renderer, clock and sender).

    Outreach asks Zalo's monthly quota before spending it (lagging units first when it is short).
    """
    quotas = MonthlyQuotas({"zalo": app.config.zalo.monthly_quota}, tz=app.config.programme.tz)
    return make_context(sessions=app.sessions, renderer=app.renderer, clock=app.clock,
                        programme=app.config.programme, settings=app.config.schedules,
                        limits=app.router.limits, worker_id=app.sender.worker_id,
                        send_now=app.sender.send_ids, quota=quotas, metrics=app.metrics)


def specs(app: App) -> dict[str, JobSpec]:
    """Return the job specs of this app's configuration."""
    return build_registry(app.config.schedules)


def attach(app: App) -> None:
    """Register the jobs on the app and give the console its `:run JOB_NAME [ISO_TIME]`."""
    registry = specs(app)
    app.jobs.update(registry)

    async def run_line(name: str, at: str | None) -> str:
        spec = registry.get(name)
        if spec is None:
            return app.renderer.render("jobs/unknown", name=name, names=list(registry))
        try:
            moment = parse_time(at, app) if at else None
        except ValueError:
            return app.renderer.render("jobs/bad_time", text=at)
        outcome = await run_now(job_context(app), spec, moment)
        return app.renderer.render("jobs/run_result", o=outcome,
                                   at=outcome.slot.astimezone(app.config.programme.tz))

    app.jobs[RUN_KEY] = run_line
    app.gateway.job_runner = run_line


def parse_time(text: str, app: App) -> datetime:
    """Parse an ISO time; a time without a zone is local (the programme's zone)."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.config.programme.tz)
    return moment


async def start(app: App) -> AsyncIOScheduler | None:
    """Catch up on missed slots and start the scheduler (None when schedules are disabled)."""
    if not app.config.schedules.enabled:
        log.info("scheduler disabled in config")
        return None
    return await start_scheduler(job_context(app), specs(app).values())

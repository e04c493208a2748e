"""The one list of scheduled jobs: `JobSpec(name, cron, func)`, crons from config.yaml.

Times are in the programme's zone (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from schedules.settings import DEFAULT_JOBS, SchedulesSettings

if TYPE_CHECKING:
    from schedules.context import JobContext, Plan, Slot

JobFunc = Callable[["JobContext", AsyncSession, "Slot"], Awaitable["Plan"]]


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job."""

    name: str
    cron: str
    func: JobFunc
    enabled: bool = True
    outside_hours: str = "skip"
    grace: timedelta = timedelta(hours=1)
    record_empty: bool = True
    """False: a run that had nothing to send leaves no row (the every-minute broadcast check)."""
    catch_up: bool = True


def job_functions() -> dict[str, tuple[JobFunc, bool]]:
    """Return each job's function and whether it records runs that sent nothing."""
    from schedules.jobs import broadcasts, countdown, digests, league, reminders, urge

    return {
        "urge_units": (urge.urge_units, True),
        "officer_digest": (digests.officer_digest, True),
        "district_digest": (digests.district_digest, True),
        "weekly_league": (league.weekly_league, True),
        "sprint_countdown": (countdown.sprint_countdown, True),
        "silent_reminders": (reminders.silent_reminders, True),
        "broadcasts": (broadcasts.due_broadcasts, False),
    }


def build_registry(settings: SchedulesSettings) -> dict[str, JobSpec]:
    """Build every job's spec from the configuration, in a stable order."""
    specs: dict[str, JobSpec] = {}
    functions = job_functions()
    for name in DEFAULT_JOBS:
        job = settings.job(name)
        func, record_empty = functions[name]
        specs[name] = JobSpec(name=name, cron=job.cron, func=func, enabled=job.enabled,
                              outside_hours=job.outside_hours,
                              grace=timedelta(seconds=job.misfire_grace_seconds),
                              record_empty=record_empty, catch_up=record_empty)
    return specs

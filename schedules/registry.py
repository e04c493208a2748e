"""The one list of scheduled jobs: `JobSpec(name, cron, func)`, crons from config.yaml.

Times are in the programme's zone (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.services.transactions import Session
from schedules.settings import DEFAULT_JOBS, SchedulesSettings

if TYPE_CHECKING:
    from schedules.context import JobContext, Plan, Slot

JobFunc = Callable[["JobContext", Session, "Slot"], Awaitable["Plan"]]


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
    sends: bool = True
    """False: the job only tidies the database, so quiet hours and holidays never hold it (pause
    and `enabled` still do); the runner fails a run of it that plans a message."""


@dataclass(frozen=True)
class JobKind:
    """What the code says about a job, beside what config.yaml says about when it runs."""

    func: JobFunc
    record_empty: bool = True
    sends: bool = True


def job_functions() -> dict[str, JobKind]:
    """Return each job's function, whether it records runs that sent nothing, and if it sends."""
    from schedules.jobs import broadcasts, countdown, digests, housekeeping, league, reminders, urge

    return {
        "urge_units": JobKind(urge.urge_units),
        "officer_digest": JobKind(digests.officer_digest),
        "district_digest": JobKind(digests.district_digest),
        "weekly_league": JobKind(league.weekly_league),
        "sprint_countdown": JobKind(countdown.sprint_countdown),
        "silent_reminders": JobKind(reminders.silent_reminders),
        "broadcasts": JobKind(broadcasts.due_broadcasts, record_empty=False),
        "housekeeping": JobKind(housekeeping.housekeeping, sends=False),
    }


def build_registry(settings: SchedulesSettings) -> dict[str, JobSpec]:
    """Build every job's spec from the configuration, in a stable order."""
    specs: dict[str, JobSpec] = {}
    functions = job_functions()
    for name in DEFAULT_JOBS:
        job = settings.job(name)
        kind = functions[name]
        specs[name] = JobSpec(name=name, cron=job.cron, func=kind.func, enabled=job.enabled,
                              outside_hours=job.outside_hours,
                              grace=timedelta(seconds=job.misfire_grace_seconds),
                              record_empty=kind.record_empty,
                              sends=kind.sends)
    return specs

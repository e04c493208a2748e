"""What a job gets: the context of this worker, the slot it runs for, and what it returns (a plan)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from handlers.clock import Clock
from handlers.metrics import Metrics
from handlers.services.calendar import Calendar, build_calendar
from handlers.services.outreach import Planned, QuotaSource, Unlimited
from handlers.services.transactions import Session, Sessions
from handlers.settings import ProgrammeSettings
from handlers.texts import Renderer
from handlers.types import ChannelLimits
from schedules.settings import SchedulesSettings

SendNow = Callable[[Sequence[int]], Awaitable[int]]
"""Sends committed outbox rows at once (the outbox sender's `send_ids`)."""


@dataclass(frozen=True)
class JobContext:
    """Everything a job needs from its worker; no platform, no global."""

    sessions: Sessions
    renderer: Renderer
    clock: Clock
    programme: ProgrammeSettings
    settings: SchedulesSettings
    calendar: Calendar
    limits: Mapping[str, ChannelLimits] = field(default_factory=dict)
    quota: QuotaSource = field(default_factory=Unlimited)
    worker_id: str = ""
    send_now: SendNow | None = None
    metrics: Metrics = field(default_factory=Metrics)


def make_context(*, sessions: Sessions, renderer: Renderer, clock: Clock,
                 programme: ProgrammeSettings, settings: SchedulesSettings, **extra: Any
                 ) -> JobContext:
    """Build a job context, with the calendar the settings describe."""
    calendar = build_calendar(tz=programme.tz, quiet_start=settings.quiet_hours.start,
                              quiet_end=settings.quiet_hours.end,
                              country=settings.holidays.country, extra=settings.holidays.extra)
    return JobContext(sessions=sessions, renderer=renderer, clock=clock, programme=programme,
                      settings=settings, calendar=calendar, **extra)


@dataclass(frozen=True)
class Slot:
    """The slot a job runs for: its time, the local day, and when its messages may leave."""

    job: str
    at: datetime
    today: date
    deliver_at: datetime
    manual: bool = False

    @property
    def key(self) -> str:
        """Return the local date as used in dedup keys: one message per recipient per day."""
        return self.today.isoformat()


@dataclass
class Plan:
    """What a job wants sent, and what it did besides (shown as the run's result)."""

    messages: list[Planned] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    on_sent: OnSent | None = None
    """Called in the same transaction with what fit the budget and what did not; returns more
    messages to queue outside the budget (reports to staff). Bookkeeping goes here."""
    reports_left_out: bool = False
    """True when `on_sent` tells people who was left out; else every staff member is told."""


OnSent = Callable[[Session, list[Planned], list[Planned]], Awaitable[list[Planned]]]

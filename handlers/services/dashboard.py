"""The web page's overview: progress against target, the sprint countdown, a daily trend, laggards.

Staff see their unit's subtree (each block's unions in its league table); an officer sees their
union inside its league. The numbers are the reports' own (league, forecast), not a second count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import forecast, league
from handlers.services import report_scope as scopes
from handlers.services.forecast import Forecast, Outlook
from handlers.services.league import League, LeagueRow
from storage.models import Phase, Sprint, Unit
from storage.repositories import daily, phases, units

TREND_DAYS = 35


@dataclass(frozen=True)
class Countdown:
    """A sprint (đợt cao điểm) seen from today, with what came in since it started."""

    name: str
    starts_on: date
    ends_on: date
    days_left: int
    count: int

    @property
    def days_total(self) -> int:
        """Return the sprint's length in days."""
        return (self.ends_on - self.starts_on).days + 1

    @property
    def elapsed_share(self) -> float:
        """Return the share of the sprint's days already behind us (today not counted)."""
        return min(max((self.days_total - self.days_left) / self.days_total, 0.0), 1.0)


@dataclass(frozen=True)
class Overview:
    """What the overview page shows for one person's unit."""

    unit: Unit
    phase: Phase
    now: datetime
    today: date
    result: League
    outlook: Forecast
    own: Outlook | None
    """An officer's union (None for staff, who see `outlook.total`)."""
    sprint: Countdown | None
    trend: list[tuple[date, int]]

    @property
    def total(self) -> Outlook:
        """Return the outlook of what the page is about: the union, or the whole subtree."""
        return self.own or self.outlook.total

    @property
    def warnings(self) -> list[Outlook]:
        """Return the unions that will miss their target at their pace, worst first."""
        if self.own is not None:
            return [self.own] if self.own.will_miss else []
        return self.outlook.warnings

    @property
    def own_row(self) -> LeagueRow | None:
        """Return an officer's union's row in its league table."""
        if self.own is None:
            return None
        return next((r for t in self.result.tables for r in t.rows if r.code == self.unit.code),
                    None)


async def league_of(session: AsyncSession, unit: Unit, *, subtree: bool) -> Unit:
    """Return the root of the tables a person sees: their unit (staff), else their union's league."""
    if subtree or unit.parent_id is None:
        return unit
    parent = await units.get(session, unit.parent_id)
    return parent or unit


async def league_for(session: AsyncSession, *, root: Unit, now: datetime, today: date,
                     statuses: Sequence[str]) -> League:
    """Build the league tables under `root` in the open (or latest) phase."""
    phase = await scopes.find_phase(session, None)
    scope = await scopes.build(session, root=root, phase=phase, now=now, today=today)
    return await league.league(session, scope, statuses=statuses)


async def overview(session: AsyncSession, *, unit: Unit, subtree: bool, now: datetime,
                   tz: ZoneInfo, statuses: Sequence[str]) -> Overview:
    """Compute the overview of `unit`: its subtree for staff, the union in its league otherwise."""
    today = now.astimezone(tz).date()
    root = await league_of(session, unit, subtree=subtree)
    result = await league_for(session, root=root, now=now, today=today, statuses=statuses)
    outlook = forecast.forecast(result)
    own = None if subtree else next((o for o in outlook.units if o.code == unit.code), None)
    sprint = await phases.get_sprint_on(session, result.phase.id, today)
    start = _trend_start(result.phase, sprint, today)
    counts = await daily.count_by_day(
        session, phase_id=result.phase.id, statuses=statuses, tz=tz,
        since=datetime.combine(start, time(0), tz), until=datetime.combine(
            today + timedelta(days=1), time(0), tz),
        path=unit.path if subtree and not result.scope.whole_tree else None,
        unit_id=None if subtree else unit.id)
    trend = [(start + timedelta(days=n), counts.get(start + timedelta(days=n), 0))
             for n in range((today - start).days + 1)]
    return Overview(unit=unit, phase=result.phase, now=now, today=today, result=result,
                    outlook=outlook, own=own, sprint=_countdown(sprint, today, trend),
                    trend=trend)


def _trend_start(phase: Phase, sprint: Sprint | None, today: date) -> date:
    """Show the last 35 days, and the whole running sprint, but nothing before the phase."""
    start = today - timedelta(days=TREND_DAYS - 1)
    if sprint is not None:
        start = min(start, sprint.starts_on)
    return max(start, min(phase.starts_on, today))


def _countdown(sprint: Sprint | None, today: date,
               trend: list[tuple[date, int]]) -> Countdown | None:
    if sprint is None:
        return None
    count = sum(n for day, n in trend if day >= sprint.starts_on)
    return Countdown(sprint.name, sprint.starts_on, sprint.ends_on,
                     forecast.days_left(sprint.ends_on, today), count)

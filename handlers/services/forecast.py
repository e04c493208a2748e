"""Progress and forecast: the 7-day pace, days left, where that pace ends, and who will miss.

Rule (docs/reports.md): pace = counted initiatives of the last 7 days / 7 (fewer days in a
phase's first week: the days since it opened, at least 1). Days left count today, up to the
phase's last day. Projected = count + pace × days left. A union with a target whose projection
falls short is on the early-warning list with the extra pace it needs, rounded up to 0.1 a day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from handlers.services.league import League, share
from handlers.services.report_scope import Scope

PACE_WINDOW_DAYS = 7


def pace_window(starts_on: date, today: date) -> int:
    """Return the days the pace is measured over: 7, or fewer early in a phase (at least 1)."""
    return min(PACE_WINDOW_DAYS, max(1, (today - starts_on).days))


def days_left(ends_on: date, today: date) -> int:
    """Count the days left in a phase, today included (0 once it has ended)."""
    return max((ends_on - today).days + 1, 0)


def round_up(value: Fraction, step: Fraction = Fraction(1, 10)) -> Fraction:
    """Round up to a multiple of `step` (0.1 by default), exactly."""
    return math.ceil(value / step) * step


@dataclass(frozen=True)
class Outlook:
    """Where a union (or a block, or the whole scope) stands and where its pace takes it."""

    code: str
    name: str
    count: int
    target: int
    recent: int
    window_days: int
    days_left: int
    rank: int | None = None

    @property
    def ratio(self) -> float | None:
        """Return the share of the target reached so far."""
        return share(self.count, self.target)

    @property
    def pace(self) -> Fraction:
        """Return initiatives per day over the pace window."""
        return Fraction(self.recent, self.window_days)

    @property
    def projected(self) -> Fraction:
        """Return the count the phase ends with at the current pace."""
        return self.count + self.pace * self.days_left

    @property
    def projected_ratio(self) -> float | None:
        """Return the projected share of the target at the end of the phase."""
        return float(self.projected / self.target) if self.target else None

    @property
    def will_miss(self) -> bool:
        """Tell whether the current pace leaves the target unreached."""
        return self.target > 0 and self.projected < self.target

    @property
    def needed_pace(self) -> Fraction | None:
        """Return the pace that would just reach the target (None once the phase is over)."""
        if self.days_left == 0:
            return None
        return Fraction(max(self.target - self.count, 0), self.days_left)

    @property
    def extra_pace(self) -> Fraction | None:
        """Return how much more a day is needed, rounded up to 0.1 (None if on track)."""
        needed = self.needed_pace
        if not self.will_miss or needed is None:
            return None
        return round_up(needed - self.pace)


@dataclass(frozen=True)
class Forecast:
    """Outlooks of every union, every block and the whole scope, plus the early warnings."""

    scope: Scope
    units: list[Outlook]
    blocks: list[Outlook]
    total: Outlook

    @property
    def warnings(self) -> list[Outlook]:
        """Return the unions that will miss, the worst projection first."""
        missing = [o for o in self.units if o.will_miss]
        return sorted(missing, key=lambda o: (o.projected_ratio or 0.0, o.code))


def forecast(result: League) -> Forecast:
    """Compute the outlook of every union and block of a league result."""
    scope = result.scope
    window = pace_window(scope.phase.starts_on, scope.today)
    left = days_left(scope.phase.ends_on, scope.today)
    units: list[Outlook] = []
    blocks: list[Outlook] = []
    for table in result.tables:
        rows = [Outlook(r.code, r.name, r.count, r.target, r.count - r.count_before, window, left,
                        rank=r.rank) for r in table.rows]
        units.extend(rows)
        blocks.append(_sum(table.code, table.name, rows, window, left))
    total = _sum(scope.root.code, scope.root.name, units, window, left)
    return Forecast(scope=scope, units=units, blocks=blocks, total=total)


def _sum(code: str, name: str, rows: Sequence[Outlook], window: int, left: int) -> Outlook:
    return Outlook(code, name, sum(o.count for o in rows), sum(o.target for o in rows),
                   sum(o.recent for o in rows), window, left)


"""Time as an injected dependency, so tests never patch the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Something that tells the current time (aware, UTC)."""

    def now(self) -> datetime:
        """Return the current time, aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock tests and simulations move by hand."""

    current: datetime

    def now(self) -> datetime:
        """Return the time the clock was set to."""
        return self.current

    def advance(self, **kwargs: float) -> None:
        """Move the clock forward by a `timedelta(**kwargs)`."""
        self.current += timedelta(**kwargs)


def local_today(clock: Clock, tz: ZoneInfo) -> date:
    """Return today's date in the programme's time zone."""
    return clock.now().astimezone(tz).date()

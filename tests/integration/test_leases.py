"""Leases: one holder at a time (a lease row on SQLite, an advisory lock on PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from handlers.clock import ManualClock
from handlers.services import leases
from handlers.services.leases import AdvisoryLease, RowLease


def lease(app: App, holder: str) -> leases.Lease:
    return leases.lease_for(app.sessions, name="zalo-poller:1", holder=holder, clock=app.clock,
                            ttl=timedelta(seconds=60))


async def test_a_second_holder_waits_until_the_first_releases(app: App) -> None:
    first, second = lease(app, "a"), lease(app, "b")
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.renew()
    await first.release()
    assert await second.acquire()
    await second.release()


async def test_postgresql_uses_an_advisory_lock_and_sqlite_a_row(app: App) -> None:
    kind = AdvisoryLease if app.engine.dialect.name == "postgresql" else RowLease
    assert isinstance(lease(app, "a"), kind)


async def test_an_expired_lease_row_is_taken_over_and_the_old_holder_learns_it(
        app: App, clock: ManualClock) -> None:
    first = RowLease(app.sessions, name="job", holder="a", clock=clock, ttl=timedelta(seconds=60))
    second = RowLease(app.sessions, name="job", holder="b", clock=clock, ttl=timedelta(seconds=60))
    assert await first.acquire()
    clock.advance(seconds=10)
    assert await first.renew()  # within a third of the time-to-live: no write needed
    clock.advance(seconds=20)
    assert not await second.acquire()
    clock.advance(seconds=31)
    assert await second.acquire()
    assert not await first.renew()

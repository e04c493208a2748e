"""Holding a singleton job (one poller per bot token) across processes.

PostgreSQL: a session-level advisory lock on a connection kept open (freed at once if the process
dies). SQLite: a `leases` row with an expiry that the holder renews.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from handlers.clock import Clock
from storage.db import unit_of_work
from storage.repositories import leases

log = logging.getLogger(__name__)


class Lease(Protocol):
    """A lease: acquire once, renew while working, release at the end."""

    name: str

    async def acquire(self) -> bool:
        """Take the lease; False while another holder has it."""
        ...

    async def renew(self) -> bool:
        """Keep the lease; False when it was lost (stop the work)."""
        ...

    async def release(self) -> None:
        """Give the lease up."""
        ...


class RowLease:
    """A lease row with an expiry, renewed by its holder (works on every database)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, name: str, holder: str,
                 clock: Clock, ttl: timedelta) -> None:
        self.sessions, self.name, self.holder = sessions, name, holder
        self.clock, self.ttl = clock, ttl
        self._taken_at: datetime | None = None

    async def acquire(self) -> bool:
        """Take the row if it is free, expired or already ours."""
        now = self.clock.now()
        async with unit_of_work(self.sessions) as session:
            taken = await leases.take(session, name=self.name, holder=self.holder, now=now,
                                      expires_at=now + self.ttl)
        self._taken_at = now if taken else None
        return taken

    async def renew(self) -> bool:
        """Push the expiry on; False when another holder took the row meanwhile.

        Writes at most every third of the time-to-live: a busy poller renews once, not per update.
        """
        if self._taken_at is not None and self.clock.now() - self._taken_at < self.ttl / 3:
            return True
        return await self.acquire()

    async def release(self) -> None:
        """Delete the row if it is still ours."""
        async with unit_of_work(self.sessions) as session:
            await leases.give_up(session, name=self.name, holder=self.holder)


class AdvisoryLease:
    """A PostgreSQL advisory lock held on its own autocommit connection."""

    def __init__(self, engine: AsyncEngine, *, name: str) -> None:
        self.engine, self.name = engine, name
        self.conn: AsyncConnection | None = None

    async def acquire(self) -> bool:
        """Try the lock; keep the connection only when it was taken."""
        conn = await self.engine.execution_options(isolation_level="AUTOCOMMIT").connect()
        if await leases.try_advisory_lock(conn, self.name):
            self.conn = conn
            return True
        await conn.close()
        return False

    async def renew(self) -> bool:
        """Check that the connection holding the lock is still alive."""
        if self.conn is None:
            return False
        try:
            await leases.ping(self.conn)
        except (DBAPIError, OperationalError, OSError):
            log.warning("lost the connection holding lease %s", self.name)
            self.conn = None
            return False
        return True

    async def release(self) -> None:
        """Unlock and close the connection."""
        if self.conn is None:
            return
        conn, self.conn = self.conn, None
        try:
            await leases.advisory_unlock(conn, self.name)
        finally:
            await conn.close()


def lease_for(sessions: async_sessionmaker[AsyncSession], *, name: str, holder: str, clock: Clock,
              ttl: timedelta) -> Lease:
    """Return the right lease for the database behind `sessions`."""
    engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine, name=name)
    return RowLease(sessions, name=name, holder=holder, clock=clock, ttl=ttl)

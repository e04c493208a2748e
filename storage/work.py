"""The hot path's unit of work: prepared statements on the driver, an ORM session only on demand.

One connection and one transaction. An update whose step needs no service (most answers in a
dialog) costs its few statements and nothing of the ORM; one that does gets a session on the same
connection and transaction. A few connections stay open between units of work (`begin`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.db import (
    PG_RECYCLE_SECONDS,
    CountingSession,
    counts,
    forget_connections,
    has_pending_changes,
    is_disconnect,
    writes,
)
from storage.prepared import Prepared


class Work:
    """One transaction on one connection; `session` is made on first use."""

    def __init__(self, connection: AsyncConnection, driver: Any) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.driver = driver
        self._sqlite = self.dialect.name == "sqlite"
        self._writes = 0
        self._counts = counts(connection.engine)
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """Return the ORM session of this transaction (made now if it was not needed before)."""
        if self._session is None:
            self._session = AsyncSession(bind=self.connection, expire_on_commit=False,
                                         autoflush=True, sync_session_class=CountingSession,
                                         join_transaction_mode="rollback_only")
        return self._session

    async def rows(self, prepared: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a prepared statement and return its rows, converted."""
        compiled = prepared.compiled(self.dialect)
        args = compiled.arguments(params)
        self._counts.statements += 1
        try:
            raw = self.driver.rows(compiled.sql, args) if self._sqlite else \
                await self.driver.fetch(compiled.sql, *args)
        except Exception as exc:
            await _forget_if_gone(self.connection, exc)
            raise
        return [compiled.row(row) for row in raw]

    async def write(self, prepared: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a prepared INSERT, UPDATE or DELETE (RETURNING what the caller needs)."""
        self._writes += 1
        return await self.rows(prepared, params)

    async def write_many(self, prepared: Prepared, many: list[Mapping[str, Any]]) -> None:
        """Run a prepared statement once per parameter set, without results."""
        if not many:
            return
        self._writes += 1
        self._counts.statements += len(many)
        compiled = prepared.compiled(self.dialect)
        args = [compiled.arguments(params) for params in many]
        try:
            if self._sqlite:
                self.driver.rows_many(compiled.sql, args)
            else:
                await self.driver.executemany(compiled.sql, args)
        except Exception as exc:
            await _forget_if_gone(self.connection, exc)
            raise

    @property
    def writes(self) -> int:
        """Return how many writes this unit of work has sent (prepared and through the session)."""
        return self._writes + (writes(self._session) if self._session is not None else 0)

    @property
    def pending(self) -> bool:
        """Tell whether ORM objects were changed and not yet written."""
        return self._session is not None and has_pending_changes(self._session)


def side_by_side(engine: AsyncEngine) -> int:
    """How many units of work may run at once on connections kept open: half the pool.

    The other half serves single statements (bookings, marks) and sessions. More at once was
    slower, not faster (docs/benchmarks.md, session 6): more transactions wait on one another,
    and some run on connections opened past the pool and closed again.
    """
    return _most_kept(engine)


def _most_kept(engine: AsyncEngine, *, autocommit: bool = False) -> int:
    """How many idle connections of a kind stay open between uses.

    Half the pool for units of work; the rest serves sessions and overflow. Autocommit ones
    (bookings, marks: one statement each) keep up to four, within the pool's other half, so
    a busy worker's transactions do not leave every booking a checkout and an isolation switch.
    """
    size = getattr(engine.sync_engine.pool, "size", None)
    if not callable(size):
        return 1
    half = max(1, size() // 2)
    return min(4, max(1, size() - half)) if autocommit else half


@dataclass
class _Kept:
    """A connection kept open between units of work, with what says it is still usable."""

    connection: AsyncConnection
    driver: Any
    adapter: Any
    """SQLAlchemy's wrapper of the driver connection (asyncpg's keeps the transaction)."""
    pool: Any
    loop: asyncio.AbstractEventLoop
    since: float

    def usable(self, engine: AsyncEngine) -> bool:
        return (self.pool is engine.sync_engine.pool  # not forgotten (`forget_connections`)
                and self.loop is asyncio.get_running_loop()
                and not self.connection.invalidated
                and time.monotonic() - self.since < PG_RECYCLE_SECONDS)


_IDLE: weakref.WeakKeyDictionary[Any, dict[bool, list[_Kept]]] = weakref.WeakKeyDictionary()
"""Per engine, the idle kept connections: in transactions (False) and in autocommit mode (True)."""


def _idle(engine: AsyncEngine, autocommit: bool) -> list[_Kept]:
    return _IDLE.setdefault(engine.sync_engine, {}).setdefault(autocommit, [])


async def _take(engine: AsyncEngine, *, autocommit: bool = False) -> _Kept:
    idle = _idle(engine, autocommit)
    while idle:
        kept = idle.pop()
        if kept.usable(engine):
            return kept
        await _close(kept)
    connection = await engine.connect()
    try:
        if autocommit:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        raw = await connection.get_raw_connection()
    except BaseException:
        await connection.close()
        raise
    return _Kept(connection, raw.driver_connection, raw.dbapi_connection,
                 engine.sync_engine.pool, asyncio.get_running_loop(), time.monotonic())


async def _give_back(engine: AsyncEngine, kept: _Kept, *, autocommit: bool = False) -> None:
    idle = _idle(engine, autocommit)
    if len(idle) < _most_kept(engine, autocommit=autocommit) and kept.usable(engine):
        idle.append(kept)
    else:
        await _close(kept)


async def _close(kept: _Kept) -> None:
    if kept.loop is asyncio.get_running_loop():
        with contextlib.suppress(Exception):
            await kept.connection.close()


async def release(engine: AsyncEngine) -> None:
    """Close the connections kept open for `engine` (before disposing of it)."""
    for idle in _IDLE.pop(engine.sync_engine, {}).values():
        for kept in idle:
            await _close(kept)


@asynccontextmanager
async def begin(engine: AsyncEngine) -> AsyncIterator[Work]:
    """Open a unit of work; commit when the block ends (after the session's last flush).

    Its connection is one kept open by an earlier unit of work when there is one (a checkout
    and a return to SQLAlchemy's pool cost more than a SQLite transaction), and its BEGIN and
    COMMIT go straight to the driver; a session, when one is needed, joins that transaction
    (storage/db.py's `begin` listeners see it is open). A unit of work that fails gives its
    connection back to the pool.
    """
    kept = await _take(engine)
    connection = kept.connection
    try:
        await _start(kept)
    except BaseException as exc:
        await _forget_if_gone(connection, exc)
        await _close(kept)
        raise
    work = Work(connection, kept.driver)
    try:
        try:
            yield work
            if work._session is not None:
                await work._session.flush()
            if connection.in_transaction():
                await connection.commit()  # the session's: SQLAlchemy commits the driver's
            elif _open(kept):
                await _end(kept, commit=True)
                work._counts.commits += 1
        finally:
            if work._session is not None:
                await work._session.close()
    except BaseException:
        with contextlib.suppress(Exception):
            if connection.in_transaction():
                await connection.rollback()
            elif _open(kept):
                await _end(kept, commit=False)
        await _close(kept)
        raise
    await _give_back(engine, kept)


def _open(kept: _Kept) -> bool:
    """Tell whether the driver connection is inside a transaction."""
    if kept.connection.dialect.name == "sqlite":
        return bool(kept.driver.in_transaction)
    return kept.adapter._transaction is not None


async def _start(kept: _Kept) -> None:
    if kept.connection.dialect.name == "sqlite":
        await kept.driver.begin_immediate()
    else:
        await kept.adapter._start_transaction()  # also what storage/db.py's listener calls


async def _end(kept: _Kept, *, commit: bool) -> None:
    if kept.connection.dialect.name == "sqlite":
        await (kept.driver.commit() if commit else kept.driver.rollback())
        return
    transaction, kept.adapter._transaction = kept.adapter._transaction, None
    await (transaction.commit() if commit else transaction.rollback())


@asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Lend a connection in autocommit mode, for single statements that need no transaction.

    Kept open between uses, as `begin`'s are; one that failed goes back to the pool.
    """
    kept = await _take(engine, autocommit=True)
    try:
        yield kept.connection
    except BaseException:
        await _close(kept)
        raise
    await _give_back(engine, kept, autocommit=True)


async def on_driver(conn: AsyncConnection, method: str, sql: str, *args: Any) -> Any:
    """Run a hand-written statement straight on the driver (asyncpg's `fetch`, `execute`…).

    For PostgreSQL-only statements on an `autocommit` connection: one round trip, counted as a
    statement and a commit (it is its own transaction); a connection found dead is reported to
    the pool, as `Work` does.
    """
    raw = await conn.get_raw_connection()
    found = counts(conn.engine)
    found.statements += 1
    found.commits += 1
    try:
        return await getattr(raw.driver_connection, method)(sql, *args)
    except Exception as exc:
        await _forget_if_gone(conn, exc)
        raise


async def _forget_if_gone(connection: AsyncConnection, exc: BaseException) -> None:
    # Statements and transactions here go around SQLAlchemy, which then does not see the
    # connection die. The server ended it, and most likely the others too (a restart, a
    # terminate): the pool and the connections kept open are dropped, the next try gets new ones.
    if is_disconnect(exc) and not connection.invalidated:
        await connection.invalidate(exc)
        await forget_connections(connection.engine)

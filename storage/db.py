"""Engines and units of work on SQLite (WAL, busy timeout) and PostgreSQL. No module-level engine."""

from __future__ import annotations

import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.util import await_

from storage import inline_sqlite

log = logging.getLogger(__name__)

PG_RECYCLE_SECONDS = 1800
"""Connections older than this are replaced (quietly, at check-out) before a server drops them."""


class DatabaseSettings(BaseModel):
    """Where the data lives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = "sqlite+aiosqlite:///data/sangkien.db"
    pool_size: int = Field(10, ge=1, le=100)
    echo: bool = False
    busy_seconds: float = Field(15.0, gt=0, le=600)
    """SQLite: how long a unit of work waits for another writer before it gives up."""


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


@dataclass
class Counts:
    """What an engine sent since it was made: SQL statements (BEGIN and COMMIT aside), commits."""

    statements: int = 0
    commits: int = 0


_COUNTS: weakref.WeakKeyDictionary[Any, Counts] = weakref.WeakKeyDictionary()


def counts(engine: AsyncEngine) -> Counts:
    """Return the running counts of an engine made by `create_engine` (for /metrics, benches)."""
    return _COUNTS.setdefault(engine.sync_engine, Counts())


def _count(engine: AsyncEngine) -> AsyncEngine:
    # Statements run on the driver are counted by storage/work.py; these see SQLAlchemy's.
    found = counts(engine)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _statement(*_: Any) -> None:
        found.statements += 1

    @event.listens_for(engine.sync_engine, "commit")
    def _commit(*_: Any) -> None:
        found.commits += 1

    return engine


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """Create an async engine; on SQLite turn on WAL, inline calls and BEGIN IMMEDIATE."""
    url = make_url(settings.url)
    if url.get_backend_name() == "sqlite":
        return _count(_sqlite_engine(settings))
    # No pre-ping: it cost three round trips per transaction (BEGIN, ";", ROLLBACK). A connection
    # the server dropped fails its first statement instead, SQLAlchemy discards it, and the
    # router and the job runner run the unit of work again (handlers/services/transactions.py).
    engine = create_async_engine(
        url, echo=settings.echo, pool_size=settings.pool_size, max_overflow=settings.pool_size,
        pool_recycle=PG_RECYCLE_SECONDS,
    )
    _begin_at_once(engine)
    return _count(engine)


def _begin_at_once(engine: AsyncEngine) -> None:
    # SQLAlchemy's asyncpg adapter sends BEGIN with its own first statement. Statements run on
    # the driver (storage/prepared.py, storage/work.py) must be inside the transaction too, so
    # the transaction starts when the unit of work does; the round trip is the same one.
    # (`_start_transaction` is the adapter's own step; SQLAlchemy is pinned in constraints.txt
    # and tests/integration/test_work.py fails if a unit of work stops being one transaction.)
    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        adapter = conn.connection.dbapi_connection
        if adapter._transaction is None:
            try:
                await_(adapter._start_transaction())
            except Exception as exc:
                # Raised here, outside SQLAlchemy's own handling: discard the dead connection
                # (and its pool: the server ended them all, most likely) so that the next try
                # gets a fresh one.
                if is_disconnect(exc):
                    conn.invalidate(exc)
                    conn.engine.dispose(close=False)
                raise


def _sqlite_engine(settings: DatabaseSettings) -> AsyncEngine:
    url = make_url(settings.url)
    path = url.database or ":memory:"
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # A connection opened past the pool is closed again when returned: enough for the poller's
    # lanes, the sender and the web page at once, so none is opened per update.
    engine = create_async_engine(
        url, echo=settings.echo, pool_size=settings.pool_size, max_overflow=settings.pool_size,
        async_creator=inline_sqlite.connector(path, busy_seconds=settings.busy_seconds))
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    # The connection is in autocommit mode (no implicit BEGIN) so that SAVEPOINT works and every
    # unit of work starts with BEGIN IMMEDIATE: a read-then-write transaction in WAL mode would
    # otherwise fail with SQLITE_BUSY_SNAPSHOT when another writer commits in between
    # (sqlite.org/wal.html). SQLite's own busy timeout is 0: a busy database is waited for
    # without blocking the event loop (storage/inline_sqlite.py).
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight to the driver: a statement through SQLAlchemy costs 50 times the BEGIN itself.
        # A unit of work of storage/work.py began it already when its session joins.
        driver = conn.connection.driver_connection
        if not driver.in_transaction:
            await_(driver.begin_immediate())


class CountingSession(Session):
    """A session that counts the writes it sends (see `writes`)."""


@event.listens_for(CountingSession, "do_orm_execute")
def _count_statement(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info["writes"] = state.session.info.get("writes", 0) + 1


@event.listens_for(CountingSession, "after_flush")
def _count_flush(session: Session, _context: UOWTransaction) -> None:
    session.info["writes"] = session.info.get("writes", 0) + 1


# PostgreSQL SQLSTATEs worth another try: a serialization failure or deadlock (40001, 40P01), a
# lost or refused connection (class 08), the server shutting down or starting (57P01-57P03)
# and too many connections (53300). Anything else (a constraint, a syntax error) is a bug.
_PG_TRANSIENT = ("40001", "40P01", "57P01", "57P02", "57P03", "53300")
_PG_DISCONNECT = ("57P01", "57P02", "57P03")


def is_transient(exc: BaseException) -> bool:
    """Tell whether an error says "try the same unit of work again": nothing in it was wrong."""
    for error in _chain(exc):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sqlite3.OperationalError):
            return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY,
                                                                sqlite3.SQLITE_LOCKED)
        state = getattr(error, "sqlstate", None)
        if isinstance(state, str) and (state in _PG_TRANSIENT or state.startswith("08")):
            return True
        if is_disconnect(error):
            return True
    return False


def is_disconnect(exc: BaseException) -> bool:
    """Tell whether an error means the database connection is gone (it must not be reused)."""
    for error in _chain(exc):
        state = getattr(error, "sqlstate", None)
        if isinstance(state, str) and (state in _PG_DISCONNECT or state.startswith("08")):
            return True
        # asyncpg's InternalClientError ("another operation is in progress") is a connection
        # still taking in the server's termination message when the next query came.
        if isinstance(error, ConnectionError | TimeoutError) or type(error).__name__ in (
                "ConnectionDoesNotExistError", "InterfaceError", "InternalClientError"):
            return True
    return False


async def forget_connections(engine: AsyncEngine) -> None:
    """Drop every pooled connection (the server restarted, or killed them): new ones next time.

    Connections in use are left to their unit of work and discarded when returned.
    """
    await engine.dispose(close=False)


def _chain(exc: BaseException) -> list[BaseException]:
    """The error and what caused it (SQLAlchemy wraps the driver's error in `orig`)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 8:
        found.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return found


def writes(session: AsyncSession) -> int:
    """Return how many writes (statements or ORM flushes) this unit of work has sent so far."""
    return session.info.get("writes", 0)


def has_pending_changes(session: AsyncSession) -> bool:
    """Tell whether ORM objects were changed but not yet written."""
    return bool(session.new or session.dirty or session.deleted)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory units of work are made from."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True,
                              sync_session_class=CountingSession)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Open one transaction; commit when the block ends, roll back when it raises."""
    async with sessions() as session, session.begin():
        yield session

"""Engines and units of work on SQLite (WAL, busy timeout) and PostgreSQL. No module-level engine."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import event, make_url
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

SQLITE_BUSY_TIMEOUT_MS = 15_000
PG_RECYCLE_SECONDS = 1800
"""Connections older than this are replaced (quietly, at check-out) before a server drops them."""


class DatabaseSettings(BaseModel):
    """Where the data lives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = "sqlite+aiosqlite:///data/sangkien.db"
    pool_size: int = Field(10, ge=1, le=100)
    echo: bool = False


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """Create an async engine; on SQLite turn on WAL, inline calls and BEGIN IMMEDIATE."""
    url = make_url(settings.url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(settings)
    # No pre-ping: it cost three round trips per transaction (BEGIN, ";", ROLLBACK). A connection
    # the server dropped fails its first statement instead, SQLAlchemy discards it, and the
    # router and the job runner run the unit of work again (handlers/services/transactions.py).
    engine = create_async_engine(
        url, echo=settings.echo, pool_size=settings.pool_size, max_overflow=settings.pool_size,
        pool_recycle=PG_RECYCLE_SECONDS,
    )
    _begin_at_once(engine)
    return engine


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
            await_(adapter._start_transaction())


def _sqlite_engine(settings: DatabaseSettings) -> AsyncEngine:
    url = make_url(settings.url)
    path = url.database or ":memory:"
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # A connection opened past the pool is closed again when returned: enough for the poller's
    # lanes, the sender and the web page at once, so none is opened per update.
    engine = create_async_engine(
        url, echo=settings.echo, pool_size=settings.pool_size, max_overflow=settings.pool_size,
        async_creator=inline_sqlite.connector(path, busy_seconds=SQLITE_BUSY_TIMEOUT_MS / 1000))
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
        await_(conn.connection.driver_connection.begin_immediate())


class CountingSession(Session):
    """A session that counts the writes it sends (see `writes`)."""


@event.listens_for(CountingSession, "do_orm_execute")
def _count_statement(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info["writes"] = state.session.info.get("writes", 0) + 1


@event.listens_for(CountingSession, "after_flush")
def _count_flush(session: Session, _context: UOWTransaction) -> None:
    session.info["writes"] = session.info.get("writes", 0) + 1


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

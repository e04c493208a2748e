"""SQLite for the async engine without a thread hop per call: each call runs at once, in the loop.

aiosqlite sends every call (execute, fetch, close, commit…) to its own thread and back: about 60
hops for one update, which cost more than the SQL. A bot's transactions are a handful of indexed
statements that take microseconds, so this connection runs them inline, with the interface
SQLAlchemy's aiosqlite dialect expects (`create_async_engine(..., async_creator=...)`).

It never blocks the loop waiting for a lock: SQLite's busy timeout is 0, and a busy database is
retried after an `asyncio.sleep` (1 ms, doubling to 50 ms) for up to `busy_seconds`, so another
unit of work of this process, or another process, can finish meanwhile.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
FIRST_WAIT, LONGEST_WAIT = 0.001, 0.05


class InlineCursor:
    """A sqlite3 cursor behind aiosqlite's coroutine interface."""

    def __init__(self, connection: InlineConnection) -> None:
        self._owner = connection
        self._cursor = connection._connection.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        """Run one statement (a busy database is waited for without blocking the loop)."""
        await self._owner.patiently(self._cursor.execute, sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        """Run one statement for each parameter set."""
        await self._owner.patiently(self._cursor.executemany, sql, list(parameters))
        return self

    async def fetchone(self) -> Any:
        """Return the next row."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Return up to `size` rows."""
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def fetchall(self) -> list[Any]:
        """Return the remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Close the cursor."""
        self._cursor.close()

    @property
    def description(self) -> Any:
        """Describe the result's columns."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Return how many rows the last statement changed."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """Return the last inserted row id."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Return how many rows `fetchmany` returns by default."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """A sqlite3 connection behind aiosqlite's coroutine interface, run in the event loop."""

    def __init__(self, connection: sqlite3.Connection, *, busy_seconds: float) -> None:
        self._connection = connection
        self.busy_seconds = busy_seconds

    def cursor(self) -> InlineCursor:
        """Open a cursor (SQLAlchemy enters it with `async with`)."""
        return InlineCursor(self)

    @property
    def isolation_level(self) -> str | None:
        """Return the isolation level (None: autocommit, SQLAlchemy begins)."""
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value

    @property
    def in_transaction(self) -> bool:
        """Tell whether a transaction is open."""
        return self._connection.in_transaction

    def rows(self, sql: str, args: Sequence[Any]) -> list[Any]:
        """Run one statement inside the transaction in hand and return its rows (no waiting)."""
        return self._connection.execute(sql, args).fetchall()

    def rows_many(self, sql: str, args: Sequence[Sequence[Any]]) -> None:
        """Run one statement per parameter set inside the transaction in hand."""
        self._connection.executemany(sql, args)

    async def begin_immediate(self) -> None:
        """Begin a transaction that writes (waiting, without blocking, for another writer)."""
        await self.patiently(self._connection.execute, "BEGIN IMMEDIATE")

    async def commit(self) -> None:
        """Commit (retried while another writer checkpoints)."""
        await self.patiently(self._connection.commit)

    async def rollback(self) -> None:
        """Roll back."""
        self._connection.rollback()

    async def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def stop(self) -> None:
        """Close at once (SQLAlchemy's terminate)."""
        self._connection.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """Register an SQL function (SQLAlchemy adds `regexp`)."""
        self._connection.create_function(*args, **kwargs)

    async def patiently(self, call: Callable[..., T], *args: Any) -> T:
        """Run `call`; while the database is busy (another writer), wait and run it again."""
        deadline, wait = None, FIRST_WAIT
        while True:
            try:
                return call(*args)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
                    raise
                deadline = deadline or time.monotonic() + self.busy_seconds
                if time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)


def connector(path: str, *, busy_seconds: float) -> Callable[[], Any]:
    """Return the `async_creator` for a SQLite file (autocommit mode: SQLAlchemy begins)."""
    async def connect() -> InlineConnection:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                     timeout=0, detect_types=0)
        return InlineConnection(connection, busy_seconds=busy_seconds)

    return connect

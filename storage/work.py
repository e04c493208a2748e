"""The hot path's unit of work: prepared statements on the driver, an ORM session only on demand.

One connection and one transaction. An update whose step needs no service (most answers in a
dialog) costs its few statements and nothing of the ORM; one that does gets a session on the same
connection and transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.db import (
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
            await self._forget_if_gone(exc)
            raise
        return [compiled.row(row) for row in raw]

    async def _forget_if_gone(self, exc: Exception) -> None:
        # The statement went around SQLAlchemy, so SQLAlchemy did not see the connection die:
        # tell the pool, or it would hand the dead connection to the next unit of work.
        if is_disconnect(exc) and not self.connection.invalidated:
            await self.connection.invalidate(exc)
            await forget_connections(self.connection.engine)

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
            await self._forget_if_gone(exc)
            raise

    @property
    def writes(self) -> int:
        """Return how many writes this unit of work has sent (prepared and through the session)."""
        return self._writes + (writes(self._session) if self._session is not None else 0)

    @property
    def pending(self) -> bool:
        """Tell whether ORM objects were changed and not yet written."""
        return self._session is not None and has_pending_changes(self._session)


@asynccontextmanager
async def begin(engine: AsyncEngine) -> AsyncIterator[Work]:
    """Open a unit of work; commit when the block ends (after the session's last flush)."""
    async with engine.connect() as connection, connection.begin():
        raw = await connection.get_raw_connection()
        work = Work(connection, raw.driver_connection)
        try:
            yield work
            if work._session is not None:
                await work._session.flush()
        finally:
            if work._session is not None:
                await work._session.close()

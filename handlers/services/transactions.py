"""Units of work for the core: the caller opens one transaction, services work inside it.

Entry points (the router, the job runner, the sender, the CLI, web pages) open them from here;
repositories never commit.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import backoff
from storage.db import forget_connections, is_disconnect, is_transient, unit_of_work
from storage.work import Work, autocommit, side_by_side
from storage.work import begin as begin_work

T = TypeVar("T")

Session = AsyncSession
"""One unit of work, as services take it."""
Sessions = async_sessionmaker[AsyncSession]
"""Where units of work come from (one per app)."""
Conflict = IntegrityError
"""A unique key taken by another transaction between our read and our write (a race)."""


async def retry_transient(call: Callable[[], Awaitable[T]], *, attempts: int, base: float,
                          cap: float) -> T:
    """Run `call` again, with back-off, while the database says "try again" (`is_transient`).

    For units of work that are safe to repeat; the last error, or any other, is raised.
    """
    for attempt in range(1, attempts):
        try:
            return await call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            await asyncio.sleep(backoff.delay(attempt, base=base, cap=cap))
    return await call()


__all__ = [
    "Conflict",
    "Session",
    "Sessions",
    "Work",
    "autocommit",
    "begin_work",
    "forget_connections",
    "is_disconnect",
    "is_transient",
    "retry_transient",
    "side_by_side",
    "unit_of_work",
]

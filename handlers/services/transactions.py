"""Units of work for the core: the caller opens one transaction, services work inside it.

Entry points (the router, the job runner, the sender, the CLI, web pages) open them from here;
repositories never commit.
"""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import forget_connections, is_disconnect, is_transient, unit_of_work
from storage.work import Work
from storage.work import begin as begin_work

Session = AsyncSession
"""One unit of work, as services take it."""
Sessions = async_sessionmaker[AsyncSession]
"""Where units of work come from (one per app)."""
Conflict = IntegrityError
"""A unique key taken by another transaction between our read and our write (a race)."""


__all__ = ["Conflict", "Session", "Sessions", "Work", "begin_work", "forget_connections",
           "is_disconnect", "is_transient", "unit_of_work"]

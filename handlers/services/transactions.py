"""Units of work for the core: the caller opens one transaction, services work inside it.

Entry points (the router, the job runner, the sender, the CLI, web pages) open them from here;
repositories never commit.
"""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import has_pending_changes, unit_of_work, writes

Session = AsyncSession
"""One unit of work, as services take it."""
Sessions = async_sessionmaker[AsyncSession]
"""Where units of work come from (one per app)."""
Conflict = IntegrityError
"""A unique key taken by another transaction between our read and our write (a race)."""


def pending(session: AsyncSession) -> bool:
    """Tell whether ORM objects were changed in this unit of work and not yet written."""
    return has_pending_changes(session)


__all__ = ["Conflict", "Session", "Sessions", "pending", "unit_of_work", "writes"]

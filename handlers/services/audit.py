"""Recording who did what: every change an officer, staff or the system makes on someone's behalf."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Member


async def record(session: AsyncSession, *, at: datetime, actor: Member | None, action: str,
                 subject: str, before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None, note: str | None = None) -> None:
    """Add one audit entry in the caller's transaction (so it exists only if the change does)."""
    session.add(AuditEntry(subject=subject, **entry(at=at, actor=actor, action=action,
                                                    before=before, after=after, note=note)))


def entry(*, at: datetime, actor: Member | None, action: str, before: dict[str, Any] | None = None,
          after: dict[str, Any] | None = None, note: str | None = None) -> dict[str, Any]:
    """Return an audit entry's columns but its subject, for a repository that writes it itself."""
    return {"at": at, "actor_id": actor.id if actor else None, "action": action,
            "before": _plain(before), "after": _plain(after), "note": note}


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in values.items()}

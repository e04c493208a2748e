"""Recording who did what: every change an officer, staff or the system makes on someone's behalf."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Member
from storage.repositories import audit as audit_log
from storage.work import Work


async def record(session: AsyncSession, *, at: datetime, actor: Member | None, action: str,
                 subject: str, before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None, note: str | None = None) -> None:
    """Add one audit entry in the caller's transaction (so it exists only if the change does)."""
    session.add(AuditEntry(subject=subject, **_entry(at=at, actor=actor, action=action,
                                                    before=before, after=after, note=note)))


async def write(work: Work, *, at: datetime, actor: Member | None, action: str, subject: str,
                before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                note: str | None = None) -> None:
    """`record`, as one prepared statement of a unit of work (the hot path, no ORM session)."""
    await audit_log.add(work, {"subject": subject, **_entry(at=at, actor=actor, action=action,
                                                            before=before, after=after, note=note)})


def _entry(*, at: datetime, actor: Member | None, action: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None, note: str | None) -> dict[str, Any]:
    return {"at": at, "actor_id": actor.id if actor else None, "action": action,
            "before": _plain(before), "after": _plain(after), "note": note}


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in values.items()}

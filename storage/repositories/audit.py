"""The audit log written on the hot path (a prepared INSERT); the ORM path adds `AuditEntry` rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, insert

from storage.models import AuditEntry
from storage.prepared import Prepared
from storage.work import Work

_T = AuditEntry.__table__
COLUMNS = ("at", "actor_id", "action", "subject", "before", "after", "note")
_NEW = Prepared(lambda _: insert(_T).values(
    {name: bindparam(name, type_=_T.c[name].type) for name in COLUMNS})
    .returning(_T.c.id))  # PostgreSQL would return the id anyway (implicit RETURNING)


async def add(work: Work, values: Mapping[str, Any]) -> None:
    """Insert one audit entry (`COLUMNS`) in the unit of work's transaction."""
    await work.write(_NEW, values)

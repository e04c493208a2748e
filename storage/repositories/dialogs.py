"""Dialog states: where each person is in a dialog, with the draft (SQLAlchemy Core, no ORM).

Every write checks and bumps `version`, so a state changed by another transaction since it was
read is never overwritten (the caller sees False and starts the update again).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogState, DialogStatus
from storage.types import UTCDateTime

TABLE = DialogState.__table__
C = TABLE.c

_ACTIVE = select(TABLE).where(C.key == bindparam("key"), C.status == DialogStatus.ACTIVE,
                              C.expires_at > bindparam("now", type_=UTCDateTime()))
_ONE = select(TABLE).where(C.key == bindparam("key"), C.dialog == bindparam("dialog"))
_INSERT = insert(TABLE).returning(C.id)
_DELETE = delete(TABLE).where(C.id == bindparam("row_id"), C.version == bindparam("seen"))


async def get_active(session: AsyncSession, key: str, *, now: datetime) -> RowMapping | None:
    """Return the active, unexpired dialog state of a key."""
    return (await session.execute(_ACTIVE, {"key": key, "now": now})).mappings().first()


async def get(session: AsyncSession, key: str, dialog: str) -> RowMapping | None:
    """Return the state of one dialog of a key, whatever its status."""
    return (await session.execute(_ONE, {"key": key, "dialog": dialog})).mappings().first()


async def add(session: AsyncSession, values: Mapping[str, Any]) -> int:
    """Insert a state (version 1); return its id."""
    return (await session.execute(_INSERT, {**values, "version": 1})).scalar_one()


async def change(session: AsyncSession, *, row_id: int, seen: int, values: Mapping[str, Any]) -> bool:
    """Write `values` if the row is still at version `seen` (bumping it); False when it moved on."""
    stmt = (update(TABLE).where(C.id == row_id, C.version == seen)
            .values(version=seen + 1, **values))
    return (await session.execute(stmt)).rowcount == 1


async def remove(session: AsyncSession, *, row_id: int, seen: int) -> bool:
    """Delete a state still at version `seen`; False when another transaction changed it."""
    return (await session.execute(_DELETE, {"row_id": row_id, "seen": seen})).rowcount == 1


async def delete_expired(session: AsyncSession, now: datetime) -> int:
    """Delete states (active or cancelled) past their expiry."""
    result = await session.execute(delete(TABLE).where(C.expires_at <= now))
    return result.rowcount or 0

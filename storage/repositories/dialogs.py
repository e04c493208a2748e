"""Dialog states: where each person is in a dialog, with the draft (prepared statements).

Every write checks and bumps `version`, so a state changed by another transaction since it was
read is never overwritten (the caller sees False and starts the update again).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogState, DialogStatus
from storage.prepared import Prepared, constant
from storage.work import Work

TABLE = DialogState.__table__
C = TABLE.c
COLUMNS = tuple(C.keys())

_ACTIVE = Prepared(lambda _: select(TABLE).where(
    C.key == bindparam("key"), C.status == constant(DialogStatus.ACTIVE),
    C.expires_at > bindparam("now", type_=C.expires_at.type)))
_ONE = Prepared(lambda _: select(TABLE).where(C.key == bindparam("key"),
                                              C.dialog == bindparam("dialog")))
_INSERT = Prepared(lambda _: insert(TABLE).values(
    {name: bindparam(name, type_=C[name].type) for name in COLUMNS if name != "id"})
    .returning(C.id))
_DELETE = Prepared(lambda _: delete(TABLE).where(C.id == bindparam("row_id"),
                                                 C.version == bindparam("seen")).returning(C.id))
_RETIRE = Prepared(lambda _: update(TABLE).where(
    C.key == bindparam("key"), C.status == constant(DialogStatus.ACTIVE),
    C.expires_at <= bindparam("now", type_=C.expires_at.type))
    .values(status=constant(DialogStatus.CANCELLED), version=C.version + 1).returning(C.id))
_CHANGES: dict[tuple[str, ...], Prepared] = {}


async def get_active(work: Work, key: str, *, now: datetime) -> dict[str, Any] | None:
    """Return the active, unexpired dialog state of a key, as column values."""
    return _first(await work.rows(_ACTIVE, {"key": key, "now": now}))


async def get(work: Work, key: str, dialog: str) -> dict[str, Any] | None:
    """Return the state of one dialog of a key, whatever its status."""
    return _first(await work.rows(_ONE, {"key": key, "dialog": dialog}))


async def retire_expired(work: Work, key: str, *, now: datetime) -> None:
    """Cancel a key's dialog that expired while still active (it would block a new one)."""
    await work.write(_RETIRE, {"key": key, "now": now})


async def add(work: Work, values: Mapping[str, Any]) -> int:
    """Insert a state (version 1); return its id."""
    (row,) = await work.write(_INSERT, {**values, "version": 1})
    return row[0]


async def change(work: Work, *, row_id: int, seen: int, values: Mapping[str, Any]) -> bool:
    """Write `values` if the row is still at version `seen` (bumping it); False when it moved on."""
    names = tuple(sorted(values))
    prepared = _CHANGES.get(names)
    if prepared is None:
        prepared = _CHANGES[names] = Prepared(lambda _: _update(names))
    return bool(await work.write(prepared, {**values, "row_id": row_id, "seen": seen,
                                            "next": seen + 1}))


def _update(names: tuple[str, ...]) -> Any:
    return (update(TABLE).where(C.id == bindparam("row_id"), C.version == bindparam("seen"))
            .values({C[name]: bindparam(name, type_=C[name].type) for name in names}
                    | {C.version: bindparam("next")})
            .returning(C.id))


async def remove(work: Work, *, row_id: int, seen: int) -> bool:
    """Delete a state still at version `seen`; False when another transaction changed it."""
    return bool(await work.write(_DELETE, {"row_id": row_id, "seen": seen}))


async def delete_expired(session: AsyncSession, now: datetime) -> int:
    """Delete states (active or cancelled) past their expiry."""
    result = await session.execute(delete(TABLE).where(C.expires_at <= now))
    return result.rowcount or 0


def _first(rows: list[tuple[Any, ...]]) -> dict[str, Any] | None:
    return dict(zip(COLUMNS, rows[0], strict=True)) if rows else None

"""Dialog states: where each person is in a dialog, with the draft."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogState, DialogStatus
from storage.types import UTCDateTime

_ACTIVE = (select(DialogState)
           .where(DialogState.key == bindparam("key"), DialogState.status == DialogStatus.ACTIVE,
                  DialogState.expires_at > bindparam("now", type_=UTCDateTime()))
           .with_for_update())


async def get_active(session: AsyncSession, key: str, *, now: datetime) -> DialogState | None:
    """Return the active, unexpired dialog for a key, locked (FOR UPDATE) on PostgreSQL."""
    return (await session.execute(_ACTIVE, {"key": key, "now": now})).scalar_one_or_none()


async def get(session: AsyncSession, key: str, dialog: str) -> DialogState | None:
    """Return the state of one dialog for a key, whatever its status."""
    stmt = (select(DialogState).where(DialogState.key == key, DialogState.dialog == dialog)
            .with_for_update())
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, state: DialogState) -> DialogState:
    """Add a dialog state."""
    session.add(state)
    await session.flush()
    return state


async def remove(session: AsyncSession, state: DialogState) -> None:
    """Delete a finished dialog's state."""
    await session.delete(state)
    await session.flush()


async def delete_expired(session: AsyncSession, now: datetime) -> int:
    """Delete states (active or cancelled) past their expiry."""
    result = await session.execute(delete(DialogState).where(DialogState.expires_at <= now))
    return result.rowcount or 0

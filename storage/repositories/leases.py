"""Leases: a row with an expiry (any database) and a session-level advisory lock (PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Lease
from storage.upsert import dialect_name


async def take(session: AsyncSession, *, name: str, holder: str, now: datetime,
               expires_at: datetime) -> bool:
    """Take or renew the lease `name` for `holder`; False while someone else holds it unexpired."""
    row = await session.get(Lease, name, with_for_update=dialect_name(session) == "postgresql")
    if row is None:
        session.add(Lease(name=name, holder=holder, expires_at=expires_at))
        await session.flush()
        return True
    if row.holder != holder and row.expires_at > now:
        return False
    row.holder, row.expires_at = holder, expires_at
    await session.flush()
    return True


async def give_up(session: AsyncSession, *, name: str, holder: str) -> None:
    """Drop the lease if `holder` still holds it."""
    await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


async def get(session: AsyncSession, name: str) -> Lease | None:
    """Return a lease row."""
    return (await session.execute(select(Lease).where(Lease.name == name))).scalar_one_or_none()


def advisory_key(name: str) -> int:
    """Return a stable signed 64-bit key for a lease name (PostgreSQL advisory locks)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def try_advisory_lock(conn: AsyncConnection, name: str) -> bool:
    """Try to take a session-level advisory lock on an autocommit connection."""
    result = await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(name)})
    return bool(result.scalar())


async def advisory_unlock(conn: AsyncConnection, name: str) -> None:
    """Release a session-level advisory lock taken on this connection."""
    await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": advisory_key(name)})


async def ping(conn: AsyncConnection) -> None:
    """Raise if the connection (and so the advisory lock held on it) is gone."""
    await conn.execute(text("SELECT 1"))

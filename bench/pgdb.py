"""A PostgreSQL database of a benchmark's own: created for the run, dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

PG_ADMIN = os.environ.get("SANGKIEN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
"""A database to connect to for CREATE / DROP DATABASE (trust auth on 127.0.0.1)."""


def database_url(name: str) -> str:
    """Return the SQLAlchemy URL of database `name` on the admin database's server."""
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def admin(sql: str) -> None:
    """Run one statement on the admin database."""
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def scratch_database(prefix: str = "sangkien_bench", *, reuse: str | None = None,
                           keep: bool = False) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of a new, empty database, dropped at the end unless `keep`.

    With `reuse` (a URL), that database is used as it is and never dropped.
    """
    if reuse:
        yield reuse
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        if not keep:
            await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def fresh_database(kind: str, folder: Path, prefix: str = "sangkien_bench") -> AsyncIterator[str]:
    """Yield the URL of a new database: "sqlite" (a file in `folder`) or "postgresql"."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/{prefix}_{uuid.uuid4().hex[:8]}.db"
        return
    async with scratch_database(prefix) as url:
        yield url

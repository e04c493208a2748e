"""Bulk work inside the caller's transaction: loading data sets and reading big results.

COPY on PostgreSQL (executemany on SQLite) for loads; a lean read path for report queries that
return 100,000+ rows.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Executable, Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.upsert import dialect_name

SQLITE_CHUNK = 5_000


async def copy_rows(session: AsyncSession, table: Table, columns: Sequence[str],
                    rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert `rows` (tuples in `columns` order) into `table`; return how many."""
    if not rows:
        return 0
    if dialect_name(session) == "postgresql":
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=rows, columns=list(columns))
        return len(rows)
    stmt = insert(table)
    for start in range(0, len(rows), SQLITE_CHUNK):
        chunk = rows[start:start + SQLITE_CHUNK]
        await session.execute(stmt, [dict(zip(columns, row, strict=True)) for row in chunk])
    return len(rows)


async def reset_sequences(session: AsyncSession, tables: Sequence[str]) -> None:
    """Move PostgreSQL id sequences past the ids loaded by hand (SQLite needs nothing)."""
    if dialect_name(session) != "postgresql":
        return
    for name in tables:
        await session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - our table names
            f"GREATEST((SELECT max(id) FROM {name}), 1))"))


async def analyze(session: AsyncSession) -> None:
    """Refresh the planner's statistics after a bulk load."""
    await session.execute(text("ANALYZE"))


async def fetch_all(session: AsyncSession, stmt: Executable) -> Sequence[Sequence[Any]]:
    """Run a Core SELECT and return its rows as plain sequences.

    On PostgreSQL the statement is compiled by SQLAlchemy and run by asyncpg directly, which
    skips SQLAlchemy's per-row processing: for a country's league table that is a third of the
    time. Only for statements whose columns need no result type conversion.
    """
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return (await connection.execute(stmt)).all()
    compiled = stmt.compile(dialect=connection.dialect,
                            compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    raw = await connection.get_raw_connection()
    return await raw.driver_connection.fetch(str(compiled), *params)  # type: ignore[union-attr]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a big list of new tuples is built.

    Building 126,000 row tuples sets off dozens of collections that each walk every young object:
    without them the conversion is 5× faster. Only for synchronous code: no await inside.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

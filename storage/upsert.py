"""INSERT … ON CONFLICT DO NOTHING on both SQLite and PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    """Return the name of the database behind a session ("sqlite" or "postgresql")."""
    return session.get_bind().dialect.name


def insert_of(dialect: str) -> Any:
    """Return the `insert` construct with ON CONFLICT for a dialect ("postgresql" or "sqlite")."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


@cache
def _statement(model: Any, dialect: str, conflict: tuple[str, ...]) -> Insert:
    # Built once per table: constructing statements costs more than running them on SQLite.
    insert = insert_of(dialect)
    return insert(model).on_conflict_do_nothing(index_elements=list(conflict)).returning(model.id)


async def insert_ignore(
    session: AsyncSession, model: Any, values: dict[str, Any], *, conflict: Sequence[str]
) -> int | None:
    """Insert a row unless its unique key exists; return the new id, or None when it existed.

    Unlike catching IntegrityError, this never aborts a PostgreSQL transaction.
    """
    stmt = _statement(model, dialect_name(session), tuple(conflict))
    return (await session.execute(stmt, values)).scalar_one_or_none()

"""Statements compiled once per database and run straight on the driver connection.

The hot path (every update: claim it, read who wrote, save the dialog state, queue the reply,
mark it sent) runs a few fixed statements. Through SQLAlchemy's async layer each costs a greenlet
round and its per-call work, 50 to 100 times what SQLite spends on it; here SQLAlchemy compiles
each statement once per dialect, with its parameters' bind processors and its columns' result
processors (the same type conversions as SQLAlchemy's own execution), and the driver runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Executable, literal_column
from sqlalchemy.engine import Dialect

from storage.types import UTCDateTime

Processor = Callable[[Any], Any] | None


def constant(text: str) -> ColumnElement[Any]:
    """Write a fixed word into the SQL, not as a parameter.

    SQLite can use a partial index (`WHERE status = 'active'`) only when it sees the value when
    preparing; a parameter there makes it prepare the statement again at every run (5 times the
    cost of the query). Only for our own constants, never for anything a person typed.
    """
    assert text.isidentifier(), text
    return literal_column(f"'{text}'")


@dataclass(frozen=True)
class Compiled:
    """One statement for one dialect: SQL text, its parameters in order, type conversions."""

    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]
    defaults: Mapping[str, Any]
    """Values of the statement's own literals (a status compared with, a text concatenated)."""

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """Return the parameters in the driver's order, converted as SQLAlchemy would."""
        values = (params[n] if n in params else self.defaults[n] for n in self.names)
        return [value if bind is None else bind(value)
                for bind, value in zip(self.binds, values, strict=True)]

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        """Convert one driver row (dates, JSON, booleans…) to Python values."""
        return tuple(value if result is None or value is None else result(value)
                     for result, value in zip(self.results, raw, strict=True))


class Prepared:
    """A Core statement built and compiled once per dialect (PostgreSQL or SQLite).

    `build(dialect_name)` makes the statement: an upsert, say, is written with that dialect's
    `insert` construct.
    """

    def __init__(self, build: Callable[[str], Executable]) -> None:
        self._build = build
        self._compiled: dict[str, Compiled] = {}

    def compiled(self, dialect: Dialect) -> Compiled:
        """Return the statement compiled for `dialect`."""
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compile(self._build(dialect.name), dialect)
        return found


def _compile(statement: Executable, dialect: Dialect) -> Compiled:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup or ())
    binds = tuple(_bind(compiled.binds[name].type, dialect) for name in names)
    columns = list(getattr(statement, "exported_columns", ()))  # selected, or RETURNING
    results = tuple(_result(column.type, dialect) for column in columns)
    return Compiled(str(compiled), names, binds, results, dict(compiled.params))


def _bind(type_: Any, dialect: Dialect) -> Processor:
    if dialect.name == "sqlite" and isinstance(type_, UTCDateTime):
        return _sqlite_time_in
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _result(type_: Any, dialect: Dialect) -> Processor:
    if dialect.name == "sqlite" and isinstance(type_, UTCDateTime):
        return _sqlite_time_out
    return type_.dialect_impl(dialect).result_processor(dialect, None)


# SQLite keeps times as text, "2026-11-24 02:00:00.000000" in UTC (SQLAlchemy's format). These
# two give the same values as UTCDateTime on SQLAlchemy's path, with the C parser instead of a
# regular expression per column (tests/unit/test_prepared.py compares them).
def _sqlite_time_in(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given; times are stored aware, in UTC")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_time_out(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)

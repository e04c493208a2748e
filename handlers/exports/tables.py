"""A report as plain tables (sheets of typed columns), the one shape every file format renders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP, CSV Injection).

Titles and names are typed by members; exported as they are, `=HYPERLINK(...)` would run in the
sheet that also holds their phone numbers (issue 16).
"""


def starts_like_formula(value: Any) -> bool:
    """Return whether `value` is text a spreadsheet would take for a formula (never a number)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


class Kind(StrEnum):
    """How a column's values are shown."""

    TEXT = "text"
    INT = "int"
    PERCENT = "percent"
    DECIMAL = "decimal"
    MONEY = "money"
    MOVEMENT = "movement"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    """One column: its key in the row, its header label, its kind and its width in characters."""

    key: str
    label: str
    kind: Kind = Kind.TEXT
    width: int = 12


@dataclass(frozen=True)
class Sheet:
    """One table: a title, a note under it, columns, rows and the rows to highlight."""

    name: str
    title: str
    note: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    highlight: frozenset[int] = frozenset()
    footer: dict[str, Any] | None = None
    """A totals row, shown under the others."""

    def values(self, row: dict[str, Any]) -> list[Any]:
        """Return a row's values in column order."""
        return [row.get(c.key) for c in self.columns]


@dataclass(frozen=True)
class Report:
    """A whole report: a file name stem, a title and its sheets (one per block, or per list)."""

    stem: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    heading: tuple[str, ...] = ()
    """Three lines on top of a PNG card: what, whose, as of when."""

    @property
    def row_count(self) -> int:
        """Return the number of data rows in every sheet."""
        return sum(len(s.rows) for s in self.sheets)

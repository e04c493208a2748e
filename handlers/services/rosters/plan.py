"""What an import would change: the plan, its bad rows, and the parsing of roster values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from handlers.errors import UserError
from handlers.textnorm import fold
from storage.models import Role, UnitLevel


class RosterKind(StrEnum):
    """The kinds of roster file."""

    UNITS = "units"
    MEMBERS = "members"
    TARGETS = "targets"


@dataclass(frozen=True)
class Columns:
    """The columns of one kind of file, in template order."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Return every column, required first."""
        return self.required + self.optional


COLUMNS = {
    RosterKind.UNITS: Columns(("code", "name", "parent_code", "level"), ("member_count",)),
    RosterKind.MEMBERS: Columns(("phone", "name", "unit_code"), ("role",)),
    RosterKind.TARGETS: Columns(("unit_code", "phase", "target")),
}

ROLE_WORDS = {
    Role.MEMBER: ("member", "doan vien", "thanh vien"),
    Role.OFFICER: ("officer", "can bo", "can bo cong doan", "can bo cdcs", "can bo co so"),
    Role.STAFF: ("staff", "can bo ldld", "chuyen vien", "chuyen vien ldld"),
    Role.ADMIN: ("admin", "quan tri", "quan tri vien"),
}
LEVEL_WORDS = {
    UnitLevel.COUNTRY: ("country", "toan quoc", "trung uong", "quoc gia"),
    UnitLevel.PROVINCE: ("province", "tinh", "thanh pho", "ldld tinh", "cap tinh"),
    UnitLevel.DISTRICT: ("district", "huyen", "quan", "ldld huyen", "cap huyen"),
    UnitLevel.BLOCK: ("block", "khoi", "nganh"),
    UnitLevel.GRASSROOTS: ("grassroots", "co so", "cdcs", "cong doan co so"),
}
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVEL_WORDS)}
_ROLES = {word: role for role, words in ROLE_WORDS.items() for word in words}
_LEVELS = {word: level for level, words in LEVEL_WORDS.items() for word in words}
_COUNT = re.compile(r"^\d+$|^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
MAX_COUNT = 10_000_000


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that cannot be imported: its number as a spreadsheet shows it, and why."""

    row: int
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


class Change(NamedTuple):
    """One row that would change something: added, or updated (with the fields before → after).

    A tuple, not a frozen dataclass: a large file makes 100,000s of them.
    """

    row: int
    action: str
    key: str
    fields: dict[str, tuple[Any, Any]]


@dataclass
class Plan:
    """What an import of one file would do; `writes` holds what `apply` needs, per kind."""

    kind: RosterKind
    filename: str
    rows: int = 0
    unchanged: int = 0
    added: int = 0
    updated: int = 0
    bad: list[BadRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    writes: Any = None
    applied: bool = False
    keep: int | None = None
    """How many added rows `changes` lists (None: all); updates are always listed, counts cover all.

    A report shows the first few changes; not keeping 100,000 of them saves a good part of a big
    import's own time. The first `keep` adds by row are kept, so the first rows listed are exact.
    """
    listed_adds: int = 0

    def refuse(self, row: int, reason: str, data: dict[str, Any] | None = None,
               **more: Any) -> None:
        """Record a bad row: its number, the reason and the details the message shows."""
        self.bad.append(BadRow(row, reason, {**(data or {}), **more}))

    def change(self, row: int, action: str, key: str, fields: dict[str, tuple[Any, Any]]) -> None:
        """Record a row that adds or updates something."""
        if action == "add":
            self.added += 1
            if not self.lists_add():
                return
        else:
            self.updated += 1
        self.changes.append(Change(row, action, key, fields))

    def lists_add(self) -> bool:
        """Tell whether one more added row goes into `changes`, and count it if so."""
        if self.keep is not None and self.listed_adds >= self.keep:
            return False
        self.listed_adds += 1
        return True

    @property
    def changed(self) -> int:
        """Count the rows that add or update something."""
        return self.added + self.updated

    @property
    def ok(self) -> bool:
        """Tell whether every row is good."""
        return not self.bad

    def counts(self) -> dict[str, int]:
        """Return the counts, for the audit log and logs."""
        return {"rows": self.rows, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "bad": len(self.bad)}


class Progress(Protocol):
    """Where long imports report how far they are (a progress bar on a terminal)."""

    def begin(self, stage: str, total: int) -> None:
        """Start a stage ("read" or "write") of `total` rows."""
        ...

    def advance(self, count: int) -> None:
        """Mark `count` more rows done."""
        ...


class NoProgress:
    """Progress reporting that goes nowhere."""

    def begin(self, stage: str, total: int) -> None:
        """Do nothing."""

    def advance(self, count: int) -> None:
        """Do nothing."""


def check_header(kind: RosterKind, header: list[str], *, filename: str) -> None:
    """Refuse a header that misses a required column, repeats one or has unknown ones."""
    columns = COLUMNS[kind]
    named = [c for c in header if c]
    missing = [c for c in columns.required if c not in named]
    unknown = [c for c in named if c not in columns.all]
    repeated = sorted({c for c in named if named.count(c) > 1})
    if missing or unknown or repeated:
        raise UserError("rosters/bad_header", filename=filename, kind=kind.value, missing=missing,
                        unknown=unknown, repeated=repeated, expected=list(columns.all))


def detect_kind(header: list[str], *, filename: str) -> RosterKind:
    """Tell the kind of file from its header row (the one whose required columns it has)."""
    for kind, columns in COLUMNS.items():
        if set(columns.required) <= set(header):
            return kind
    raise UserError("rosters/unknown_kind", filename=filename,
                    kinds={k.value: list(c.all) for k, c in COLUMNS.items()})


def parse_count(text: str) -> int | None:
    """Return a whole number ≥ 0 ("1.200" allowed), None when blank; ValueError otherwise."""
    if not text:
        return None
    if not _COUNT.match(text):
        raise ValueError(text)
    value = int(re.sub(r"[.,]", "", text))
    if value > MAX_COUNT:
        raise ValueError(text)
    return value


@lru_cache(maxsize=256)
def parse_role(text: str) -> Role | None:
    """Return the role named in English or Vietnamese, None when blank; ValueError otherwise."""
    if not text:
        return None
    try:
        return _ROLES[fold(text)]
    except KeyError:
        raise ValueError(text) from None


@lru_cache(maxsize=256)
def parse_level(text: str) -> UnitLevel:
    """Return the unit level named in English or Vietnamese; ValueError otherwise."""
    try:
        return _LEVELS[fold(text)]
    except KeyError:
        raise ValueError(text) from None


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    """Split a list into lists of at most `size` items."""
    return [items[i:i + size] for i in range(0, len(items), size)]

"""A members file (phone, name, unit_code[, role]): set-based checks, then executemany writes.

Members are matched by phone. Nothing here runs one query per row.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.parsing import normalize_phone
from handlers.services.roles import RANK
from handlers.services.rosters.plan import Change, Plan, Progress, chunks, parse_role
from handlers.services.spreadsheets import Row
from handlers.textnorm import clean, fold
from storage.models import Member, Role
from storage.repositories import units as unit_repo

log = logging.getLogger(__name__)

_MOBILE = re.compile(r"0[35789]")
LOOKUP_CHUNK = 5000
WHOLE_ROSTER_FACTOR = 4
WRITE_CHUNK = 5000
PROGRESS_EVERY = 2000
MAX_NAME = 120


class MemberRow(NamedTuple):
    """A members row that passed the checks made without the database (a tuple: 100,000s of them)."""

    row: int
    phone: str
    name: str
    unit_code: str
    role: Role | None


@dataclass
class MemberWrites:
    """The rows to insert and the updates by id."""

    adds: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)


def phone_of(text: str) -> str | None:
    """Normalise a phone; Excel drops the leading 0 of a number typed as a number (912345678)."""
    if len(text) == 10 and text.isdigit() and _MOBILE.match(text):
        return text  # already 0xxxxxxxxx: the common case, checked without the general parser
    phone = normalize_phone(text)
    if phone is None and len(text) == 9 and text.isdigit():
        phone = normalize_phone("0" + text)
    return phone


def parse_rows(plan: Plan, rows: Iterable[Row], progress: Progress) -> list[MemberRow]:
    """Check each row on its own and against earlier rows of the file."""
    parsed: list[MemberRow] = []
    first_row: dict[str, int] = {}
    count = 0
    for number, values in rows:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress.advance(PROGRESS_EVERY)
        row = _parse_row(plan, number, values)
        if row is None:
            continue
        if row.phone in first_row:
            plan.refuse(number, "duplicate_phone", phone=row.phone, first_row=first_row[row.phone])
            continue
        first_row[row.phone] = number
        parsed.append(row)
    plan.rows += count
    progress.advance(count % PROGRESS_EVERY)
    return parsed


def clean_name(text: str) -> str:
    """Clean a name like `textnorm.clean`, skipping the work for the usual tidy name."""
    if text.isprintable() and "  " not in text and unicodedata.is_normalized("NFC", text):
        return text.strip()
    return clean(text)


def _parse_row(plan: Plan, number: int, values: dict[str, str]) -> MemberRow | None:
    phone_text, name = values["phone"], clean_name(values["name"])
    phone, unit_code = phone_of(phone_text), values["unit_code"].upper()
    if phone is None or not name or len(name) > MAX_NAME or not unit_code:
        plan.refuse(number, *_problem(phone_text, phone, name, unit_code))
        return None
    role_text = values.get("role")
    try:
        role = parse_role(role_text) if role_text else None
    except ValueError:
        plan.refuse(number, "unknown_role", value=role_text)
        return None
    return MemberRow(number, phone, name, unit_code, role)


def _problem(phone_text: str, phone: str | None, name: str,
             unit_code: str) -> tuple[str, dict[str, Any]]:
    if not phone_text:
        return "missing_phone", {}
    if phone is None:
        return "bad_phone", {"value": phone_text}
    if not name:
        return "missing_name", {}
    if len(name) > MAX_NAME:
        return "name_too_long", {"max": MAX_NAME}
    return "missing_unit", {}


async def existing_by_phone(session: AsyncSession, phones: list[str]) -> dict[str, tuple[Any, ...]]:
    """Return (id, name, unit id, role) of the members with these phones.

    A file about as big as the roster reads the whole roster in one query; a small one looks its
    phones up a chunk at a time.
    """
    columns = (Member.phone, Member.id, Member.name, Member.unit_id, Member.role)
    total = (await session.execute(select(func.count(Member.id)))).scalar_one()
    if total <= WHOLE_ROSTER_FACTOR * len(phones):
        wanted = set(phones)
        rows = (await session.execute(select(*columns).where(Member.phone.is_not(None)))).all()
        return {phone: tuple(rest) for phone, *rest in rows if phone in wanted}
    found: dict[str, tuple[Any, ...]] = {}
    for chunk in chunks(phones, LOOKUP_CHUNK):
        stmt = select(*columns).where(Member.phone.in_(chunk))
        for phone, *rest in (await session.execute(stmt)).all():
            found[phone] = tuple(rest)
    return found


async def plan(session: AsyncSession, plan: Plan, rows: Iterable[Row], *, max_role: Role | None,
               progress: Progress, at: datetime) -> None:
    """Fill `plan` with the members to add, to update, unchanged and bad."""
    parsed = parse_rows(plan, rows, progress)
    codes = await unit_repo.list_codes(session)
    decider = Decider(plan, MemberWrites(), {code: unit_id for code, (unit_id, _) in codes.items()},
                      await existing_by_phone(session, [r.phone for r in parsed]), max_role, at)
    for row in parsed:
        decider.decide(row)
    plan.added += len(decider.writes.adds)
    plan.writes = decider.writes


@dataclass
class Decider:
    """Decides each checked row against the database lookups: add, update, unchanged or bad."""

    plan: Plan
    writes: MemberWrites
    unit_ids: dict[str, int]
    existing: dict[str, tuple[Any, ...]]
    max_role: Role | None
    at: datetime
    code_of: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.code_of = {unit_id: code for code, unit_id in self.unit_ids.items()}

    def decide(self, row: MemberRow) -> None:
        """Sort one row (a new member takes the short path: 100,000s of rows go through here)."""
        unit_id = self.unit_ids.get(row.unit_code)
        if unit_id is None:
            self.plan.refuse(row.row, "unknown_unit", code=row.unit_code)
        elif self.max_role is not None and row.role is not None and \
                RANK[row.role] > RANK[self.max_role]:
            self.plan.refuse(row.row, "role_too_high", role=row.role.value)
        elif (old := self.existing.get(row.phone)) is None:
            role = row.role or Role.MEMBER  # a StrEnum is the text itself; .value costs more
            self.writes.adds.append({"unit_id": unit_id, "name": row.name, "phone": row.phone,
                                     "role": role, "reminders_enabled": True,
                                     "created_at": self.at})
            if self.plan.lists_add():
                self.plan.changes.append(Change(row.row, "add", row.phone, {
                    "name": (None, row.name), "unit": (None, row.unit_code), "role": (None, role)}))
        else:
            self.update(row, unit_id, old)

    def update(self, row: MemberRow, unit_id: int, old: tuple[Any, ...]) -> None:
        """Compare a row with the member who has its phone; moving units needs the same name."""
        member_id, old_name, old_unit_id, old_role = old
        old_code = self.code_of.get(old_unit_id, "?")
        if old_unit_id != unit_id and fold(old_name) != fold(row.name):
            self.plan.refuse(row.row, "phone_taken", phone=row.phone, name=old_name, unit=old_code)
            return
        role = row.role or old_role
        fields = {key: (before, after) for key, before, after in (
            ("name", old_name, row.name), ("unit", old_code, row.unit_code),
            ("role", old_role, role)) if before != after}
        if not fields:
            self.plan.unchanged += 1
        elif self.max_role is not None and RANK[Role(old_role)] > RANK[self.max_role]:
            self.plan.refuse(row.row, "role_too_high", role=old_role)
        else:
            self.writes.updates.append({"id": member_id, "name": row.name, "unit_id": unit_id,
                                        "role": role})
            self.plan.change(row.row, "update", row.phone, fields)


async def apply(session: AsyncSession, plan: Plan, progress: Progress) -> None:
    """Insert and update in batches (executemany), inside the caller's transaction."""
    writes: MemberWrites = plan.writes
    progress.begin("write", len(writes.adds) + len(writes.updates))
    connection = await session.connection()
    for chunk in chunks(writes.adds, WRITE_CHUNK):
        await connection.execute(insert(Member), chunk)
        progress.advance(len(chunk))
    for chunk in chunks(writes.updates, WRITE_CHUNK):
        await connection.execute(
            update(Member).where(Member.id == _bind("id")).values(
                name=_bind("name"), unit_id=_bind("unit_id"), role=_bind("role")),
            [{"b_" + k: v for k, v in values.items()} for values in chunk])
        progress.advance(len(chunk))
    log.info("members import %s: %d added, %d updated", plan.filename, len(writes.adds),
             len(writes.updates))


def _bind(name: str) -> Any:
    return bindparam("b_" + name)

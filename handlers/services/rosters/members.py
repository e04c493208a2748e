"""A members file (phone, name, unit_code[, role]): set-based checks, then executemany writes.

Members are matched by phone. Nothing here runs one query per row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.parsing import normalize_phone
from handlers.roles import RANK
from handlers.services.rosters.plan import Plan, Progress, chunks, parse_role
from handlers.services.spreadsheets import Row
from handlers.textnorm import clean, fold
from storage.models import Member, Role
from storage.repositories import units as unit_repo

log = logging.getLogger(__name__)

LOOKUP_CHUNK = 5000
WRITE_CHUNK = 5000
PROGRESS_EVERY = 2000
MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A members row that passed the checks made without the database."""

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
    phone = normalize_phone(text)
    if phone is None and len(text) == 9 and text.isdigit():
        phone = normalize_phone("0" + text)
    return phone


def parse_rows(plan: Plan, rows: Iterable[Row], progress: Progress) -> list[MemberRow]:
    """Check each row on its own and against earlier rows of the file."""
    parsed: list[MemberRow] = []
    first_row: dict[str, int] = {}
    for count, (number, values) in enumerate(rows, start=1):
        plan.rows += 1
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
    progress.advance(plan.rows % PROGRESS_EVERY)
    return parsed


def _parse_row(plan: Plan, number: int, values: dict[str, str]) -> MemberRow | None:
    phone_text, name = values["phone"], clean(values["name"])
    phone = phone_of(phone_text)
    unit_code = values["unit_code"].upper()
    reason: tuple[str, dict[str, Any]] | None = None
    if not phone_text:
        reason = "missing_phone", {}
    elif phone is None:
        reason = "bad_phone", {"value": phone_text}
    elif not name:
        reason = "missing_name", {}
    elif len(name) > MAX_NAME:
        reason = "name_too_long", {"max": MAX_NAME}
    elif not unit_code:
        reason = "missing_unit", {}
    if reason is not None:
        plan.refuse(number, reason[0], **reason[1])
        return None
    try:
        role = parse_role(values.get("role", ""))
    except ValueError:
        plan.refuse(number, "unknown_role", value=values["role"])
        return None
    assert phone is not None
    return MemberRow(number, phone, name, unit_code, role)


async def existing_by_phone(session: AsyncSession, phones: list[str]) -> dict[str, tuple[Any, ...]]:
    """Return (id, name, unit id, role) of the members with these phones, a chunk at a time."""
    found: dict[str, tuple[Any, ...]] = {}
    for chunk in chunks(phones, LOOKUP_CHUNK):
        stmt = select(Member.phone, Member.id, Member.name, Member.unit_id, Member.role).where(
            Member.phone.in_(chunk))
        for phone, *rest in (await session.execute(stmt)).all():
            found[phone] = tuple(rest)
    return found


async def plan(session: AsyncSession, plan: Plan, rows: Iterable[Row], *, max_role: Role | None,
               progress: Progress, at: datetime) -> None:
    """Fill `plan` with the members to add, to update, unchanged and bad."""
    parsed = parse_rows(plan, rows, progress)
    codes = await unit_repo.list_codes(session)
    code_of = {unit_id: code for code, (unit_id, _level) in codes.items()}
    existing = await existing_by_phone(session, [r.phone for r in parsed])
    writes = MemberWrites()
    for row in parsed:
        _decide(plan, writes, row, codes=codes, code_of=code_of, old=existing.get(row.phone),
                max_role=max_role, at=at)
    plan.writes = writes


def _decide(plan: Plan, writes: MemberWrites, row: MemberRow, *, codes: dict[str, tuple[int, str]],
            code_of: dict[int, str], old: tuple[Any, ...] | None, max_role: Role | None,
            at: datetime) -> None:
    if row.unit_code not in codes:
        plan.refuse(row.row, "unknown_unit", code=row.unit_code)
        return
    unit_id = codes[row.unit_code][0]
    if max_role is not None and row.role is not None and RANK[row.role] > RANK[max_role]:
        plan.refuse(row.row, "role_too_high", role=row.role.value)
        return
    if old is None:
        role = row.role or Role.MEMBER
        writes.adds.append({"unit_id": unit_id, "name": row.name, "phone": row.phone,
                            "role": role.value, "reminders_enabled": True, "created_at": at})
        plan.change(row.row, "add", row.phone, {"name": (None, row.name),
                                                "unit": (None, row.unit_code),
                                                "role": (None, role.value)})
        return
    _update(plan, writes, row, unit_id=unit_id, code_of=code_of, old=old, max_role=max_role)


def _update(plan: Plan, writes: MemberWrites, row: MemberRow, *, unit_id: int,
            code_of: dict[int, str], old: tuple[Any, ...], max_role: Role | None) -> None:
    member_id, old_name, old_unit_id, old_role = old
    if old_unit_id != unit_id and fold(old_name) != fold(row.name):
        plan.refuse(row.row, "phone_taken", phone=row.phone, name=old_name,
                    unit=code_of.get(old_unit_id, "?"))
        return
    role = row.role.value if row.role else old_role
    fields: dict[str, tuple[Any, Any]] = {}
    if row.name != old_name:
        fields["name"] = (old_name, row.name)
    if unit_id != old_unit_id:
        fields["unit"] = (code_of.get(old_unit_id, "?"), row.unit_code)
    if role != old_role:
        fields["role"] = (old_role, role)
    if not fields:
        plan.unchanged += 1
        return
    if max_role is not None and RANK[Role(old_role)] > RANK[max_role]:
        plan.refuse(row.row, "role_too_high", role=old_role)
        return
    writes.updates.append({"id": member_id, "name": row.name, "unit_id": unit_id, "role": role})
    plan.change(row.row, "update", row.phone, fields)


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

"""A units file (code, name, parent_code, level[, member_count]): the tree after the import.

Parents may come from the database or from anywhere in the file. Moving a unit (a new
parent_code) is allowed: the materialised paths of the moved subtrees are rebuilt.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.rosters.plan import (
    LEVEL_RANK,
    Plan,
    Progress,
    parse_count,
    parse_level,
)
from handlers.services.spreadsheets import Row
from handlers.textnorm import clean, fold
from storage.models import Role, Unit, UnitLevel
from storage.repositories import units as unit_repo

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
MAX_NAME = 255
ROOT_LEVELS = (UnitLevel.COUNTRY, UnitLevel.PROVINCE, UnitLevel.DISTRICT)


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A units row that passed the checks made without the database."""

    row: int
    code: str
    name: str
    parent_code: str | None
    level: UnitLevel
    member_count: int | None


@dataclass
class UnitWrites:
    """New units (parents first), updated units with their new values, and whether any moved."""

    by_code: dict[str, Unit]
    adds: list[UnitRow] = field(default_factory=list)
    updates: list[UnitRow] = field(default_factory=list)
    moved: bool = False


def parse_rows(plan: Plan, rows: Iterable[Row], bad_codes: dict[str, int]) -> dict[str, UnitRow]:
    """Check each row on its own; a code seen twice is bad the second time."""
    parsed: dict[str, UnitRow] = {}
    for number, values in rows:
        plan.rows += 1
        row = _parse_row(plan, number, values)
        if row is None:
            bad_codes.setdefault(values["code"].upper(), number)
            continue
        if row.code in parsed:
            plan.refuse(number, "duplicate_code", code=row.code, first_row=parsed[row.code].row)
            continue
        parsed[row.code] = row
    return parsed


def _parse_row(plan: Plan, number: int, values: dict[str, str]) -> UnitRow | None:
    code, name = values["code"].upper(), clean(values["name"])
    parent = values["parent_code"].upper() or None
    problem = _problem(code, name, parent)
    if problem is not None:
        plan.refuse(number, problem[0], **problem[1])
        return None
    try:
        level = parse_level(values["level"])
    except ValueError:
        plan.refuse(number, "bad_level", value=values["level"])
        return None
    try:
        count = parse_count(values.get("member_count", ""))
    except ValueError:
        plan.refuse(number, "bad_count", column="member_count", value=values["member_count"])
        return None
    if parent is None and level not in ROOT_LEVELS:
        plan.refuse(number, "parent_required", level=level.value)
        return None
    return UnitRow(number, code, name, parent, level, count)


def _problem(code: str, name: str, parent: str | None) -> tuple[str, dict[str, Any]] | None:
    if not code:
        return "missing_code", {}
    if not _CODE.match(code):
        return "bad_code", {"value": code}
    if not name:
        return "missing_name", {}
    if len(name) > MAX_NAME:
        return "name_too_long", {"max": MAX_NAME}
    if parent == code:
        return "parent_self", {"code": code}
    return None


def resolve(plan: Plan, parsed: dict[str, UnitRow], known: dict[str, Unit],
            bad_codes: dict[str, int]) -> None:
    """Refuse rows whose parent is unknown or bad, sits no higher, or makes a cycle; repeat."""
    code_of = {unit.id: code for code, unit in known.items()}
    changed = True
    while changed:
        changed = False
        parent_of = {code: code_of.get(unit.parent_id or 0) for code, unit in known.items()}
        parent_of |= {code: row.parent_code for code, row in parsed.items()}
        for code, row in list(parsed.items()):
            problem = _tree_problem(row, parsed, known, bad_codes, parent_of)
            if problem is not None:
                plan.refuse(row.row, problem[0], **problem[1])
                bad_codes[code] = row.row
                del parsed[code]
                changed = True


def _tree_problem(row: UnitRow, parsed: dict[str, UnitRow], known: dict[str, Unit],
                  bad_codes: dict[str, int], parent_of: dict[str, str | None]
                  ) -> tuple[str, dict[str, Any]] | None:
    parent = row.parent_code
    if parent is None:
        return None
    if parent not in parsed and parent not in known:
        if parent in bad_codes:
            return "parent_row_bad", {"code": parent, "first_row": bad_codes[parent]}
        return "unknown_parent", {"code": parent}
    parent_level = parsed[parent].level if parent in parsed else UnitLevel(known[parent].level)
    if LEVEL_RANK[row.level] <= LEVEL_RANK[parent_level]:
        return "level_not_below_parent", {"level": row.level.value, "parent": parent,
                                          "parent_level": parent_level.value}
    if _in_cycle(row.code, parent_of):
        return "cycle", {"code": row.code}
    return None


def _in_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen, current = {code}, parent_of.get(code)
    while current is not None and current not in seen:
        seen.add(current)
        current = parent_of.get(current)
    return current == code


async def plan(session: AsyncSession, plan: Plan, rows: Iterable[Row], *, max_role: Role | None,
               progress: Progress, at: datetime) -> None:
    """Fill `plan` with the units to add, to update (or move), unchanged and bad."""
    bad_codes: dict[str, int] = {}
    parsed = parse_rows(plan, rows, bad_codes)
    progress.advance(plan.rows)
    known = {unit.code.upper(): unit for unit in await unit_repo.list_all(session)}
    resolve(plan, parsed, known, bad_codes)
    writes = UnitWrites(by_code=known)
    code_of = {unit.id: code for code, unit in known.items()}
    for row in sorted(parsed.values(), key=lambda r: (_depth(r.code, parsed), r.row)):
        _decide(plan, writes, row, known.get(row.code), code_of)
    plan.bad.sort(key=lambda b: b.row)
    plan.writes = writes


def _depth(code: str, parsed: dict[str, UnitRow]) -> int:
    depth, parent = 0, parsed[code].parent_code
    while parent is not None and parent in parsed:
        depth, parent = depth + 1, parsed[parent].parent_code
    return depth


def _decide(plan: Plan, writes: UnitWrites, row: UnitRow, unit: Unit | None,
            code_of: dict[int, str]) -> None:
    if unit is None:
        writes.adds.append(row)
        plan.change(row.row, "add", row.code, {
            "name": (None, row.name), "level": (None, row.level.value),
            "parent": (None, row.parent_code), "member_count": (None, row.member_count or 0)})
        return
    old_parent = code_of.get(unit.parent_id or 0)
    fields: dict[str, tuple[Any, Any]] = {}
    if row.name != unit.name:
        fields["name"] = (unit.name, row.name)
    if row.level != unit.level:
        fields["level"] = (unit.level, row.level.value)
    if row.parent_code != old_parent:
        fields["parent"] = (old_parent, row.parent_code)
    if row.member_count is not None and row.member_count != unit.member_count:
        fields["member_count"] = (unit.member_count, row.member_count)
    if not fields:
        plan.unchanged += 1
        return
    writes.updates.append(row)
    writes.moved = writes.moved or "parent" in fields
    plan.change(row.row, "update", row.code, fields)


async def apply(session: AsyncSession, plan: Plan, progress: Progress) -> None:
    """Add new units (parents first, paths via the repository), update the others, fix paths."""
    writes: UnitWrites = plan.writes
    by_code = writes.by_code
    progress.begin("write", len(writes.adds) + len(writes.updates))
    for row in writes.adds:
        parent = by_code[row.parent_code] if row.parent_code else None
        by_code[row.code] = await unit_repo.add(session, Unit(
            code=row.code, name=row.name, name_folded=fold(row.name)[:MAX_NAME],
            level=row.level.value, member_count=row.member_count or 0), parent)
        progress.advance(1)
    for row in writes.updates:
        unit = by_code[row.code]
        unit.name, unit.name_folded, unit.level = row.name, fold(row.name)[:MAX_NAME], row.level
        unit.parent_id = by_code[row.parent_code].id if row.parent_code else None
        if row.member_count is not None:
            unit.member_count = row.member_count
        progress.advance(1)
    await session.flush()
    if writes.moved:
        moved = await unit_repo.recompute_paths(session)
        log.info("units import %s: %d paths rebuilt", plan.filename, moved)
    log.info("units import %s: %d added, %d updated", plan.filename, len(writes.adds),
             len(writes.updates))

"""A targets file (unit_code, phase, target): one target per grassroots union and phase.

A closed phase takes no target; the phase column holds the phase number.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.rosters.plan import Plan, Progress, chunks, parse_count
from handlers.services.spreadsheets import Row
from storage.models import Phase, PhaseStatus, Role, Target, UnitLevel
from storage.repositories import phases as phase_repo
from storage.repositories import units as unit_repo

log = logging.getLogger(__name__)

WRITE_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A targets row that passed the checks made without the database."""

    row: int
    unit_code: str
    phase: int
    target: int


@dataclass
class TargetWrites:
    """The targets to insert and the updates by id."""

    adds: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)


def parse_rows(plan: Plan, rows: Iterable[Row]) -> list[TargetRow]:
    """Check each row on its own; the same unit and phase twice is bad the second time."""
    parsed: list[TargetRow] = []
    first_row: dict[tuple[str, int], int] = {}
    for number, values in rows:
        plan.rows += 1
        row = _parse_row(plan, number, values)
        if row is None:
            continue
        key = (row.unit_code, row.phase)
        if key in first_row:
            plan.refuse(number, "duplicate_target", code=row.unit_code, phase=row.phase,
                        first_row=first_row[key])
            continue
        first_row[key] = number
        parsed.append(row)
    return parsed


def _parse_row(plan: Plan, number: int, values: dict[str, str]) -> TargetRow | None:
    code = values["unit_code"].upper()
    if not code:
        plan.refuse(number, "missing_unit")
        return None
    try:
        phase = parse_count(values["phase"])
    except ValueError:
        phase = None
    if phase is None:
        plan.refuse(number, "unknown_phase", value=values["phase"])
        return None
    try:
        target = parse_count(values["target"])
    except ValueError:
        target = None
    if target is None:
        plan.refuse(number, "bad_target", value=values["target"])
        return None
    return TargetRow(number, code, phase, target)


async def plan(session: AsyncSession, plan: Plan, rows: Iterable[Row], *, max_role: Role | None,
               progress: Progress, at: datetime) -> None:
    """Fill `plan` with the targets to add, to update, unchanged and bad."""
    parsed = parse_rows(plan, rows)
    progress.advance(plan.rows)
    codes = await unit_repo.list_codes(session)
    by_number = {p.number: p for p in await phase_repo.list_all(session)}
    existing = await phase_repo.list_target_rows(
        session, phase_ids=[p.id for p in by_number.values()])
    writes = TargetWrites()
    for row in parsed:
        phase = by_number.get(row.phase)
        problem = _problem(row, codes, phase)
        if problem is not None:
            plan.refuse(row.row, problem[0], **problem[1])
            continue
        assert phase is not None
        _decide(plan, writes, row, unit_id=codes[row.unit_code][0], phase=phase,
                old=existing.get((codes[row.unit_code][0], phase.id)))
    plan.writes = writes


def _problem(row: TargetRow, codes: dict[str, tuple[int, str]],
             phase: Phase | None) -> tuple[str, dict[str, Any]] | None:
    if row.unit_code not in codes:
        return "unknown_unit", {"code": row.unit_code}
    if codes[row.unit_code][1] != UnitLevel.GRASSROOTS:
        return "not_grassroots", {"code": row.unit_code}
    if phase is None:
        return "unknown_phase", {"value": str(row.phase)}
    if phase.status == PhaseStatus.CLOSED:
        return "closed_phase", {"number": phase.number, "name": phase.name}
    return None


def _decide(plan: Plan, writes: TargetWrites, row: TargetRow, *, unit_id: int, phase: Phase,
            old: tuple[int, int] | None) -> None:
    key = f"{row.unit_code} · {phase.name}"
    if old is None:
        writes.adds.append({"unit_id": unit_id, "phase_id": phase.id, "target": row.target})
        plan.change(row.row, "add", key, {"target": (None, row.target)})
    elif old[1] != row.target:
        writes.updates.append({"b_id": old[0], "b_target": row.target})
        plan.change(row.row, "update", key, {"target": (old[1], row.target)})
    else:
        plan.unchanged += 1


async def apply(session: AsyncSession, plan: Plan, progress: Progress) -> None:
    """Insert and update targets in batches, inside the caller's transaction."""
    writes: TargetWrites = plan.writes
    progress.begin("write", len(writes.adds) + len(writes.updates))
    connection = await session.connection()
    for chunk in chunks(writes.adds, WRITE_CHUNK):
        await connection.execute(insert(Target), chunk)
        progress.advance(len(chunk))
    statement = update(Target).where(Target.id == bindparam("b_id")).values(
        target=bindparam("b_target"))
    for chunk in chunks(writes.updates, WRITE_CHUNK):
        await connection.execute(statement, chunk)
        progress.advance(len(chunk))
    log.info("targets import %s: %d added, %d updated", plan.filename, len(writes.adds),
             len(writes.updates))

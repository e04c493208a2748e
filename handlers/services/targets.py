"""Targets per grassroots union and phase: set one, or copy a phase's targets to another. Audited.

A closed phase takes no target. Whole files of targets go through handlers/services/rosters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import audit
from handlers.services.phases import PhaseRef
from handlers.services.phases import get as get_phase
from storage.models import Member, Phase, PhaseStatus, Target, Unit, UnitLevel
from storage.repositories import phases as phase_repo
from storage.repositories import units as unit_repo

log = logging.getLogger(__name__)

MAX_TARGET = 10_000_000


@dataclass(frozen=True)
class TargetChange:
    """A unit's target in a phase before and after it was set."""

    unit: Unit
    phase: Phase
    old: int | None
    new: int


@dataclass(frozen=True)
class CopyResult:
    """What copying targets did: how many were copied and how many the target phase kept."""

    source: Phase
    target: Phase
    copied: int
    kept: int


def _open_for_targets(phase: Phase) -> Phase:
    if phase.status == PhaseStatus.CLOSED:
        raise UserError("phases/phase_closed", phase=PhaseRef.of(phase))
    return phase


async def grassroots_unit(session: AsyncSession, code: str) -> Unit:
    """Return the grassroots union with this code, or refuse."""
    unit = await unit_repo.get_by_code(session, code)
    if unit is None:
        raise UserError("errors/unknown_unit", code=code.strip()[:32])
    if unit.level != UnitLevel.GRASSROOTS:
        raise UserError("phases/not_grassroots", code=unit.code)
    return unit


async def set_target(session: AsyncSession, *, unit_code: str, number: int, target: int,
                     actor: Member | None, at: datetime) -> TargetChange:
    """Set one unit's target in a phase that is not closed."""
    if not 0 <= target <= MAX_TARGET:
        raise UserError("phases/bad_target")
    unit = await grassroots_unit(session, unit_code)
    phase = _open_for_targets(await get_phase(session, number))
    row = await phase_repo.get_target_row(session, unit_id=unit.id, phase_id=phase.id)
    old = row.target if row else None
    if row is None:
        session.add(Target(unit_id=unit.id, phase_id=phase.id, target=target))
    else:
        row.target = target
    await session.flush()
    if old != target:
        await audit.record(session, at=at, actor=actor, action="target.set",
                           subject=f"target:{unit.code}:{phase.number}",
                           before=None if old is None else {"target": old},
                           after={"target": target})
    log.info("target of unit %s in phase %d: %s -> %d", unit.code, phase.number, old, target)
    return TargetChange(unit, phase, old, target)


async def copy_targets(session: AsyncSession, *, from_number: int, to_number: int,
                       actor: Member | None, at: datetime) -> CopyResult:
    """Copy every unit's target of one phase to another; targets already set there are kept."""
    if from_number == to_number:
        raise UserError("phases/same_phase", number=from_number)
    source = await get_phase(session, from_number)
    target = _open_for_targets(await get_phase(session, to_number))
    wanted = await phase_repo.list_targets(session, source.id)
    if not wanted:
        raise UserError("phases/no_targets", phase=PhaseRef.of(source))
    present = await phase_repo.list_targets(session, target.id)
    rows = [{"unit_id": unit_id, "phase_id": target.id, "target": value}
            for unit_id, value in wanted.items() if unit_id not in present]
    result = CopyResult(source, target, copied=len(rows), kept=len(wanted) - len(rows))
    if not rows:
        return result
    await (await session.connection()).execute(insert(Target), rows)
    await audit.record(session, at=at, actor=actor, action="targets.copy",
                       subject=f"phase:{to_number}",
                       after={"from_phase": from_number, "copied": result.copied,
                              "kept": result.kept})
    log.info("targets copied from phase %d to %d: %d copied, %d kept", from_number, to_number,
             result.copied, result.kept)
    return result


async def copy_pair(session: AsyncSession) -> tuple[Phase, Phase]:
    """Return (the last phase with targets, the next planned phase): what /dot offers to copy."""
    upcoming = await phase_repo.get_next_planned(session)
    if upcoming is None:
        raise UserError("phases/no_next_phase")
    earlier = [p for p in await phase_repo.list_all(session)
               if p.starts_on < upcoming.starts_on and p.status != PhaseStatus.PLANNED]
    if not earlier:
        raise UserError("phases/no_previous_phase", phase=PhaseRef.of(upcoming))
    return earlier[-1], upcoming

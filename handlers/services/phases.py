"""Phases and sprints: list, add, open (one at a time), close, start a sprint. Every change audited.

Targets (copy, set) are in handlers/services/targets.py. Refusals are UserErrors with templates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import audit
from storage.models import Member, Phase, PhaseStatus, Sprint
from storage.repositories import phases as phase_repo

log = logging.getLogger(__name__)

DEFAULT_SPRINT_DAYS = 35
MAX_SPRINT_DAYS = 366


@dataclass(frozen=True)
class PhaseRef:
    """A phase's values for a refusal; ORM rows would be detached once the transaction rolls back."""

    number: int
    name: str
    starts_on: date
    ends_on: date
    status: str

    @classmethod
    def of(cls, phase: Phase | Sprint) -> PhaseRef:
        """Copy the values of a phase (or the dates and name of a sprint)."""
        return cls(getattr(phase, "number", 0), phase.name, phase.starts_on, phase.ends_on,
                   getattr(phase, "status", ""))


@dataclass(frozen=True)
class PhaseView:
    """A phase as staff see it: its sprints, the one running today, and its targets."""

    phase: Phase
    sprints: list[Sprint]
    running: Sprint | None
    units_with_target: int


async def overview(session: AsyncSession, *, today: date) -> list[PhaseView]:
    """List every phase with its sprints and how many units have a target in it."""
    views = []
    for phase in await phase_repo.list_all(session):
        sprints = list(await phase_repo.list_sprints(session, phase.id))
        running = next((s for s in sprints if s.starts_on <= today <= s.ends_on), None)
        if phase.status != PhaseStatus.OPEN:
            running = None
        views.append(PhaseView(phase, sprints, running,
                               await phase_repo.count_targets(session, phase.id)))
    return views


async def get(session: AsyncSession, number: int) -> Phase:
    """Return a phase by number, or refuse with errors/unknown_phase."""
    phase = await phase_repo.get_by_number(session, number)
    if phase is None:
        raise UserError("errors/unknown_phase", number=number)
    return phase


async def add_phase(session: AsyncSession, *, number: int, name: str, starts_on: date,
                    ends_on: date, actor: Member | None, at: datetime) -> Phase:
    """Add a planned phase; its number is new, its dates are in order and overlap no other."""
    if number < 1:
        raise UserError("phases/bad_number", number=number)
    if await phase_repo.get_by_number(session, number) is not None:
        raise UserError("phases/number_taken", number=number)
    if ends_on <= starts_on:
        raise UserError("phases/bad_dates", starts_on=starts_on, ends_on=ends_on)
    for other in await phase_repo.list_all(session):
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            raise UserError("phases/overlap", other=PhaseRef.of(other))
    phase = await phase_repo.add(session, Phase(number=number, name=name, starts_on=starts_on,
                                                ends_on=ends_on, status=PhaseStatus.PLANNED))
    await audit.record(session, at=at, actor=actor, action="phase.add", subject=f"phase:{number}",
                       after={"name": name, "starts_on": starts_on, "ends_on": ends_on})
    log.info("phase %d added", number)
    return phase


async def open_phase(session: AsyncSession, *, number: int, actor: Member | None,
                     at: datetime) -> Phase:
    """Open a planned (or reopen a closed) phase; refused while another phase is open."""
    phase = await get(session, number)
    current = await phase_repo.get_open(session)
    if current is not None and current.id == phase.id:
        raise UserError("phases/already_open", phase=PhaseRef.of(phase))
    if current is not None:
        raise UserError("phases/another_open", current=PhaseRef.of(current),
                        wanted=PhaseRef.of(phase))
    before = phase.status
    phase.status = PhaseStatus.OPEN
    await session.flush()
    await audit.record(session, at=at, actor=actor, action="phase.open", subject=f"phase:{number}",
                       before={"status": before}, after={"status": phase.status})
    log.info("phase %d opened (was %s)", number, before)
    return phase


async def close_phase(session: AsyncSession, *, number: int, actor: Member | None,
                      at: datetime) -> tuple[Phase, Phase | None]:
    """Close the open phase; return it and the next planned phase (what members are told)."""
    phase = await get(session, number)
    if phase.status != PhaseStatus.OPEN:
        raise UserError("phases/not_open", phase=PhaseRef.of(phase))
    phase.status = PhaseStatus.CLOSED
    await session.flush()
    await audit.record(session, at=at, actor=actor, action="phase.close", subject=f"phase:{number}",
                       before={"status": PhaseStatus.OPEN.value}, after={"status": phase.status})
    log.info("phase %d closed", number)
    return phase, await phase_repo.get_next_planned(session)


async def start_sprint(session: AsyncSession, *, number: int, starts_on: date, days: int,
                       name: str, actor: Member | None, at: datetime) -> Sprint:
    """Start a sprint of `days` days (inclusive) inside a phase that is not closed."""
    phase = await get(session, number)
    if phase.status == PhaseStatus.CLOSED:
        raise UserError("phases/phase_closed", phase=PhaseRef.of(phase))
    if not 1 <= days <= MAX_SPRINT_DAYS:
        raise UserError("phases/bad_days", max=MAX_SPRINT_DAYS)
    ends_on = starts_on + timedelta(days=days - 1)
    if starts_on < phase.starts_on or ends_on > phase.ends_on:
        left = (phase.ends_on - starts_on).days + 1 if starts_on >= phase.starts_on else 0
        raise UserError("phases/sprint_outside", phase=PhaseRef.of(phase), starts_on=starts_on,
                        ends_on=ends_on, days_left=left)
    for other in await phase_repo.list_sprints(session, phase.id):
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            raise UserError("phases/sprint_overlap", sprint=PhaseRef.of(other))
    sprint = await phase_repo.add_sprint(session, Sprint(phase_id=phase.id, name=name,
                                                         starts_on=starts_on, ends_on=ends_on))
    await audit.record(session, at=at, actor=actor, action="sprint.start", subject=f"phase:{number}",
                       after={"name": name, "starts_on": starts_on, "ends_on": ends_on})
    log.info("sprint of %d days started in phase %d", days, number)
    return sprint


async def current_or_next(session: AsyncSession) -> Phase | None:
    """Return the open phase, else the next planned one (where new targets and sprints go)."""
    return await phase_repo.get_open(session) or await phase_repo.get_next_planned(session)


async def get_open(session: AsyncSession) -> Phase | None:
    """Return the open phase, if one is open."""
    return await phase_repo.get_open(session)


async def get_next_planned(session: AsyncSession) -> Phase | None:
    """Return the next planned phase, if any."""
    return await phase_repo.get_next_planned(session)


async def list_all(session: AsyncSession) -> Sequence[Phase]:
    """List every phase in order."""
    return await phase_repo.list_all(session)


async def list_sprints(session: AsyncSession, phase_id: int) -> Sequence[Sprint]:
    """List a phase's sprints, earliest first."""
    return await phase_repo.list_sprints(session, phase_id)


async def count_targets(session: AsyncSession, phase_id: int) -> int:
    """Count the units with a target in a phase."""
    return await phase_repo.count_targets(session, phase_id)


async def get_target(session: AsyncSession, *, unit_id: int, phase_id: int) -> int | None:
    """Return a unit's target in a phase, if one is set."""
    return await phase_repo.get_target(session, unit_id=unit_id, phase_id=phase_id)

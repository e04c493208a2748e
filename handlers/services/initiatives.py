"""Registering initiatives and reading them back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.textnorm import fold
from storage.models import Initiative, InitiativeStatus, Member, Phase
from storage.repositories import initiatives, phases

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InitiativeText:
    """What a member typed for an initiative."""

    title: str
    field: str
    content: str
    effect: str
    benefit_vnd: int | None


async def open_phase(session: AsyncSession) -> Phase:
    """Return the open phase, or refuse with the next phase's name and date."""
    phase = await phases.get_open(session)
    if phase is not None:
        return phase
    upcoming = await phases.get_next_planned(session)
    if upcoming is None:
        raise UserError("register/no_open_phase")
    raise UserError("register/no_open_phase", next_name=upcoming.name,
                    next_starts_on=upcoming.starts_on)


async def register_initiative(
    session: AsyncSession, *, author: Member, text: InitiativeText, now: datetime, prefix: str,
    entered_by: Member | None = None,
) -> Initiative:
    """Record a submitted initiative in the open phase and return it with its number."""
    phase = await open_phase(session)
    initiative = Initiative(
        title=text.title, title_folded=fold(text.title)[:200], field=text.field,
        content=text.content, effect=text.effect, benefit_vnd=text.benefit_vnd,
        status=InitiativeStatus.SUBMITTED, member_id=author.id, unit_id=author.unit_id,
        phase_id=phase.id, entered_by_id=entered_by.id if entered_by else None,
        created_at=now, updated_at=now,
    )
    await initiatives.add(session, initiative, prefix=prefix)
    log.info("initiative %s registered by member %s in unit %s", initiative.number, author.id,
             author.unit_id)
    return initiative


async def count_for_unit(session: AsyncSession, *, unit_id: int, phase_id: int,
                         statuses: Sequence[str]) -> int:
    """Count a unit's initiatives that count toward its target in a phase."""
    counts = await initiatives.count_by_unit(session, unit_ids=[unit_id], phase_id=phase_id,
                                             statuses=statuses)
    return counts.get(unit_id, 0)


async def list_mine(session: AsyncSession, member: Member) -> tuple[Sequence[Initiative], int]:
    """Return a member's latest initiatives and how many they have in all."""
    rows = await initiatives.list_by_member(session, member.id)
    return rows, await initiatives.count_by_member(session, member.id)

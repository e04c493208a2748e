"""Reports as data (rows of plain values); formats and looks belong to the renderers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import phases, report_scope
from storage.models import Initiative, Member, Phase, Unit, UnitLevel
from storage.repositories import initiatives
from storage.repositories import standings as standings_repo


@dataclass(frozen=True)
class InitiativeRow:
    """One initiative as a report line."""

    number: str
    submitted_on: date
    unit_code: str
    unit_name: str
    author: str
    field: str
    title: str
    status: str
    benefit_vnd: int | None
    content: str
    effect: str
    applied_since: date | None
    tech_secret: bool
    phone: str
    on_portal: date | None


async def _phase(session: AsyncSession, number: int | None) -> Phase | None:
    return None if number is None else await phases.get(session, number)


async def _unit_ids(session: AsyncSession, *, unit: str | None, block: str | None) -> list[int] | None:
    code = unit or block
    if code is None:
        return None
    found = await report_scope.find_unit(session, code)
    if unit:
        return [found.id]
    stmt = select(Unit.id).where(Unit.path.startswith(found.path), Unit.level == UnitLevel.GRASSROOTS)
    return list((await session.execute(stmt)).scalars().all())


async def initiative_rows(
    session: AsyncSession, *, tz: ZoneInfo, phase: int | None = None, unit: str | None = None,
    block: str | None = None, not_on_portal: bool = False,
    counting: Sequence[str] = ("submitted", "approved"),
) -> Sequence[InitiativeRow]:
    """List initiatives, optionally of one phase, one unit or one block.

    `not_on_portal`: only the counted ones still to be typed into the national portal, with every
    field the portal asks (the portal stays the official record).
    """
    found_phase = await _phase(session, phase)
    ids = await _unit_ids(session, unit=unit, block=block)
    rows = await initiatives.list_with_authors(
        session, phase_id=found_phase.id if found_phase else None, unit_ids=ids)
    if not_on_portal:
        rows = [r for r in rows if r[0].portal_entered_at is None and r[0].status in counting]
    return [_row(i, m, u, tz) for i, m, u in rows]


def _row(i: Initiative, m: Member, u: Unit, tz: ZoneInfo) -> InitiativeRow:
    on_portal = i.portal_entered_at.astimezone(tz).date() if i.portal_entered_at else None
    return InitiativeRow(i.number or "", i.created_at.astimezone(tz).date(), u.code, u.name,
                         m.name, i.field, i.title, i.status, i.benefit_vnd, i.content, i.effect,
                         i.applied_since, i.tech_secret, m.phone or "", on_portal)


SilentMember = standings_repo.SilentMember


async def silent_members(session: AsyncSession, *, phase_id: int,
                         path: str | None) -> list[SilentMember]:
    """List the members (under a unit's path, or everywhere) with no initiative in a phase."""
    return list(await standings_repo.list_silent(session, phase_id=phase_id, path=path))

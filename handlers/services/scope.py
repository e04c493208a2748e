"""What part of the union tree a person acts on: an officer their unit, staff their subtree."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services.roles import RANK
from storage.models import Member, Role, Unit
from storage.repositories import units


async def unit_ids(session: AsyncSession, person: Member) -> list[int]:
    """List the ids of the units a person may act on (their own unit, and below it for staff)."""
    if RANK[Role(person.role)] < RANK[Role.STAFF]:
        return [person.unit_id]
    own = await units.get(session, person.unit_id)
    assert own is not None
    stmt = select(Unit.id).where(Unit.path.startswith(own.path))
    return list((await session.execute(stmt)).scalars().all())


async def require_unit(session: AsyncSession, person: Member, unit_id: int) -> None:
    """Refuse when a unit is outside what the person may act on."""
    if unit_id not in await unit_ids(session, person):
        unit = await units.get(session, unit_id)
        raise UserError("errors/other_unit", code=unit.code if unit else "?")

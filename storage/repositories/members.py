"""Members on the rosters."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member


async def get(session: AsyncSession, member_id: int) -> Member | None:
    """Return a member by id."""
    return await session.get(Member, member_id)


async def get_by_phone(session: AsyncSession, phone: str) -> Member | None:
    """Return the member with this normalised phone number."""
    return (await session.execute(select(Member).where(Member.phone == phone))).scalar_one_or_none()


async def add(session: AsyncSession, member: Member) -> Member:
    """Add a member and give it an id."""
    session.add(member)
    await session.flush()
    return member


async def list_by_unit(session: AsyncSession, unit_id: int) -> Sequence[Member]:
    """List a unit's members by name."""
    stmt = select(Member).where(Member.unit_id == unit_id).order_by(Member.name, Member.id)
    return (await session.execute(stmt)).scalars().all()

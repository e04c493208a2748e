"""Initiatives and counts of them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Initiative, Member, Unit


async def add(session: AsyncSession, initiative: Initiative, *, prefix: str) -> Initiative:
    """Add an initiative and give it its public number (prefix + the id, six digits)."""
    session.add(initiative)
    await session.flush()
    initiative.number = f"{prefix}{initiative.id:06d}"
    await session.flush()
    return initiative


async def list_by_member(session: AsyncSession, member_id: int, limit: int = 20) -> Sequence[Initiative]:
    """List a member's initiatives, newest first."""
    stmt = (select(Initiative).where(Initiative.member_id == member_id)
            .order_by(Initiative.created_at.desc(), Initiative.id.desc()).limit(limit))
    return (await session.execute(stmt)).scalars().all()


async def count_by_member(session: AsyncSession, member_id: int) -> int:
    """Count a member's initiatives."""
    stmt = select(func.count(Initiative.id)).where(Initiative.member_id == member_id)
    return (await session.execute(stmt)).scalar_one()


async def count_by_unit(
    session: AsyncSession, *, unit_ids: Sequence[int], phase_id: int, statuses: Sequence[str]
) -> dict[int, int]:
    """Count the initiatives that count toward targets, per unit."""
    stmt = (select(Initiative.unit_id, func.count(Initiative.id))
            .where(Initiative.unit_id.in_(unit_ids), Initiative.phase_id == phase_id,
                   Initiative.status.in_(statuses))
            .group_by(Initiative.unit_id))
    return dict((await session.execute(stmt)).all())


async def list_with_authors(
    session: AsyncSession, *, phase_id: int | None = None, unit_ids: Sequence[int] | None = None
) -> Sequence[tuple[Initiative, Member, Unit]]:
    """List initiatives with their author and unit, oldest first (for reports)."""
    stmt = (select(Initiative, Member, Unit)
            .join(Member, Member.id == Initiative.member_id)
            .join(Unit, Unit.id == Initiative.unit_id)
            .order_by(Initiative.id))
    if phase_id is not None:
        stmt = stmt.where(Initiative.phase_id == phase_id)
    if unit_ids is not None:
        stmt = stmt.where(Initiative.unit_id.in_(unit_ids))
    return [tuple(row) for row in (await session.execute(stmt)).all()]  # type: ignore[misc]

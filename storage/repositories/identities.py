"""Chat accounts linked to members."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, Member


async def get_with_member(
    session: AsyncSession, *, channel: str, user_id: str
) -> tuple[Identity, Member] | None:
    """Return the identity of a chat account and its member, or None for a stranger."""
    stmt = (select(Identity, Member).join(Member, Member.id == Identity.member_id)
            .where(Identity.channel == channel, Identity.user_id == user_id))
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def add(session: AsyncSession, identity: Identity) -> Identity:
    """Add an identity."""
    session.add(identity)
    await session.flush()
    return identity

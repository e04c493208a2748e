"""Chat accounts linked to members."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, Member

_WITH_MEMBER = (select(Identity, Member).join(Member, Member.id == Identity.member_id)
                .where(Identity.channel == bindparam("channel"),
                       Identity.user_id == bindparam("user_id")))


async def get_with_member(
    session: AsyncSession, *, channel: str, user_id: str
) -> tuple[Identity, Member] | None:
    """Return the identity of a chat account and its member, or None for a stranger."""
    row = (await session.execute(_WITH_MEMBER, {"channel": channel, "user_id": user_id})).first()
    return (row[0], row[1]) if row else None


async def add(session: AsyncSession, identity: Identity) -> Identity:
    """Add an identity."""
    session.add(identity)
    await session.flush()
    return identity

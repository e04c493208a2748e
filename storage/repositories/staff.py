"""Reaching staff: their chat accounts and the private chats they were last answered in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, Member


async def list_identities(session: AsyncSession, *, roles: Sequence[str],
                          channels: Sequence[str]) -> Sequence[tuple[Member, Identity]]:
    """List the chat accounts on `channels` of members with one of `roles`."""
    stmt = (select(Member, Identity).join(Identity, Identity.member_id == Member.id)
            .where(Member.role.in_(roles), Identity.channel.in_(channels))
            .order_by(Member.id, Identity.id))
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


"""Files people sent, and the initiatives they belong to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment


async def add(session: AsyncSession, attachment: Attachment) -> Attachment:
    """Add an attachment."""
    session.add(attachment)
    await session.flush()
    return attachment


async def link_to_initiative(session: AsyncSession, ids: Sequence[int], *, initiative_id: int,
                             member_id: int) -> None:
    """Link a member's attachments to an initiative."""
    await session.execute(update(Attachment).where(Attachment.id.in_(ids),
                                                   Attachment.member_id == member_id)
                          .values(initiative_id=initiative_id))


async def list_for_initiative(session: AsyncSession, initiative_id: int) -> Sequence[Attachment]:
    """List the attachments of an initiative, oldest first."""
    stmt = select(Attachment).where(Attachment.initiative_id == initiative_id).order_by(Attachment.id)
    return (await session.execute(stmt)).scalars().all()

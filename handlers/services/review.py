"""Reviewing initiatives: the queue of a unit, and the decisions (approve, return, reject)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import audit, scope
from storage.models import Initiative, InitiativeStatus, Member

log = logging.getLogger(__name__)


class Decision(StrEnum):
    """What a reviewer decides."""

    APPROVE = "approved"
    RETURN = "returned"
    REJECT = "rejected"


async def next_in_queue(session: AsyncSession, *, reviewer: Member,
                        skipped: Sequence[int] = ()) -> Initiative | None:
    """Return the oldest submitted initiative the reviewer may decide on, skipping some."""
    stmt = (select(Initiative)
            .where(Initiative.unit_id.in_(await scope.unit_ids(session, reviewer)),
                   Initiative.status == InitiativeStatus.SUBMITTED,
                   Initiative.id.not_in(list(skipped)))
            .order_by(Initiative.created_at, Initiative.id).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def queue_summary(session: AsyncSession, *, reviewer: Member,
                        newest: int = 8) -> tuple[int, list[str]]:
    """Count the initiatives waiting for this reviewer and name the newest ones."""
    where = (Initiative.unit_id.in_(await scope.unit_ids(session, reviewer)),
             Initiative.status == InitiativeStatus.SUBMITTED)
    count = (await session.execute(select(func.count(Initiative.id)).where(*where))).scalar_one()
    numbers = (await session.execute(select(Initiative.number).where(*where)
                                     .order_by(Initiative.id.desc()).limit(newest))).scalars()
    return count, [n for n in numbers if n]


async def decide(session: AsyncSession, *, initiative_id: int, reviewer: Member,
                 decision: Decision, note: str | None, now: datetime) -> Initiative:
    """Record a decision on a submitted initiative (refused when someone decided first)."""
    initiative = await session.get(Initiative, initiative_id, with_for_update=True)
    if initiative is None or initiative.status != InitiativeStatus.SUBMITTED:
        raise UserError("review/already_decided")
    await scope.require_unit(session, reviewer, initiative.unit_id)
    before = {"status": initiative.status}
    initiative.status = decision.value
    initiative.review_note = note
    initiative.reviewed_by_id, initiative.reviewed_at, initiative.updated_at = reviewer.id, now, now
    await audit.record(session, at=now, actor=reviewer, action=f"review.{decision.name.lower()}",
                       subject=f"initiative:{initiative.id}", before=before,
                       after={"status": initiative.status}, note=note)
    await session.flush()
    log.info("initiative %s %s by member %s", initiative.number, decision.value, reviewer.id)
    return initiative


async def author_of(session: AsyncSession, initiative: Initiative) -> Member:
    """Return an initiative's author."""
    author = await session.get(Member, initiative.member_id)
    assert author is not None
    return author

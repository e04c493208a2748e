"""`housekeeping` (nightly): delete what has outlived its use; sends nothing.

Update claims older than `schedules.housekeeping.processed_updates_days` and dialog states past
their `expires_at`. Never outbox rows, initiatives or audit rows.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from schedules.context import JobContext, Plan, Slot
from storage.repositories import dialogs, updates

log = logging.getLogger(__name__)


async def housekeeping(ctx: JobContext, session: AsyncSession, slot: Slot) -> Plan:
    """Delete old update claims and expired dialogs in the slot's transaction; report the counts.

    A live dialog (its `expires_at` still ahead) is kept: a draft lives its full TTL. Expiry is
    judged against now, not the slot, so a late catch-up run never removes less than it should.
    """
    now = ctx.clock.now()
    keep = timedelta(days=ctx.settings.housekeeping.processed_updates_days)
    claims = await updates.delete_older_than(session, now - keep)
    states = await dialogs.delete_expired(session, now)
    log.info("housekeeping slot %s: %d update claim(s), %d dialog state(s) deleted",
             slot.at.isoformat(), claims, states)
    return Plan(result={"removed": claims + states, "processed_updates": claims,
                        "dialog_states": states})

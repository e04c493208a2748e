"""`housekeeping` (nightly): delete what has outlived its use; sends nothing.

Update claims older than `schedules.housekeeping.processed_updates_days` and dialog states past
their `expires_at`. Never outbox rows, initiatives or audit rows.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.services import conversations, updates
from handlers.services.transactions import Session
from schedules.context import JobContext, Plan, Slot

log = logging.getLogger(__name__)


async def housekeeping(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Delete old update claims and expired dialogs in the slot's transaction; report the counts.

    A live dialog (its `expires_at` still ahead) is kept: a draft lives its full TTL. Expiry is
    judged against now, not the slot, so a late catch-up run never removes less than it should.
    """
    now = ctx.clock.now()
    keep = timedelta(days=ctx.settings.housekeeping.processed_updates_days)
    claims = await updates.forget_older_than(session, now - keep)
    states = await conversations.delete_expired(session, now)
    log.info("housekeeping slot %s: %d update claim(s), %d dialog state(s) deleted",
             slot.at.isoformat(), claims, states)
    return Plan(result={"removed": claims + states, "processed_updates": claims,
                        "dialog_states": states})

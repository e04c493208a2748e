"""What several jobs share: today's snapshot of the open phase."""

from __future__ import annotations

from handlers.services import standings
from handlers.services.standings import Snapshot
from handlers.services.transactions import Session
from schedules.context import JobContext, Slot


async def snapshot(ctx: JobContext, session: Session, slot: Slot) -> Snapshot | None:
    """Return the standing of every union on the slot's day, or None with no open phase."""
    return await standings.snapshot(session, today=slot.today, tz=ctx.programme.tz,
                                    statuses=ctx.programme.counting_statuses,
                                    lagging_share=ctx.programme.lagging_share)


NO_PHASE = {"reason": "no_open_phase"}

"""`weekly_league`: each block's league table, posted in district (and block) group chats."""

from __future__ import annotations

from handlers.services import recipients
from handlers.services.outreach import Planned
from handlers.services.transactions import Session
from schedules.context import JobContext, Plan, Slot
from schedules.jobs.common import NO_PHASE, snapshot

ROWS_SHOWN = 60


async def weekly_league(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Plan one league table per block for every group chat linked above the grassroots."""
    snap = await snapshot(ctx, session, slot)
    if snap is None:
        return Plan(result=dict(NO_PHASE))
    chats = await recipients.group_chats(session, grassroots=False)
    messages = []
    for unit_id, refs in chats.items():
        home = snap.others.get(unit_id)
        for block in snap.under(home) if home is not None else []:
            rows = snap.in_block(block.id)
            data = {"block": block, "phase": snap.phase, "rows": rows[:ROWS_SHOWN],
                    "more": max(len(rows) - ROWS_SHOWN, 0), "today": slot.today}
            messages += [Planned(ref, "digest/league", data,
                                 dedup_key=f"league:{slot.key}:{block.code}:{ref.channel}:{ref.chat_id}")
                         for ref in refs]
    return Plan(messages, {"chats": len(chats)})

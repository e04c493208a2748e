"""`urge_units`: each union's linked groups get its count against target, rank and pace needed."""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.services import recipients, standings
from handlers.services.outreach import Planned
from handlers.services.standings import Snapshot, Standing
from handlers.services.transactions import Session
from schedules.context import JobContext, Plan, Slot
from schedules.jobs.common import NO_PHASE, snapshot

log = logging.getLogger(__name__)


def urge_template(standing: Standing) -> str:
    """Pick the tone: congratulations, a firmer push for laggards, or steady encouragement."""
    if standing.reached:
        return "urge/reached"
    return "urge/lagging" if standing.lagging else "urge/steady"


async def urge_units(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Plan one message per linked group chat of every grassroots union."""
    snap = await snapshot(ctx, session, slot)
    if snap is None:
        return Plan(result=dict(NO_PHASE))
    chats = await recipients.group_chats(session, unit_ids=list(snap.units))
    day_start, _ = standings.day_bounds(slot.today, ctx.programme.tz)
    names = await standings.week_contributors(
        session, phase_id=snap.phase.id, since=day_start - timedelta(days=7), until=day_start,
        statuses=ctx.programme.counting_statuses)
    shown = ctx.settings.contributors_shown
    messages = []
    for unit_id, refs in chats.items():
        standing = snap.units[unit_id]
        data = _data(snap, standing, names.get(unit_id, []), shown)
        messages += [Planned(ref, urge_template(standing), data,
                             dedup_key=f"urge:{slot.key}:{standing.code}:{ref.channel}:{ref.chat_id}",
                             urgency=standing.ratio or 0.0, unit_code=standing.code)
                     for ref in refs]
    return Plan(messages, {"units": len(chats)})


def _data(snap: Snapshot, standing: Standing, names: list[str], shown: int) -> dict[str, object]:
    block = snap.blocks.get(standing.block_id or 0) or snap.others.get(standing.block_id or 0)
    return {"s": standing, "phase": snap.phase, "sprint": snap.sprint,
            "block_name": block.name if block else "", "days_left_phase": snap.days_left_phase,
            "days_left_sprint": snap.days_left_sprint, "names": names[:shown],
            "more_names": max(len(names) - shown, 0)}

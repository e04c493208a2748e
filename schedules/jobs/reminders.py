"""`silent_reminders`: a DM to members with no initiative this phase, spaced and capped.

Never to someone who sent /tatnhacnho; at most once every N days and M times a phase (config).
"""

from __future__ import annotations

from handlers.services import reminders
from handlers.services.outreach import Planned
from handlers.services.transactions import Session
from schedules.context import JobContext, Plan, Slot
from schedules.jobs.common import NO_PHASE, snapshot


async def silent_reminders(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Plan a reminder for every silent member whose turn has come."""
    snap = await snapshot(ctx, session, slot)
    if snap is None:
        return Plan(result=dict(NO_PHASE))
    rules = reminders.ReminderRules(ctx.settings.reminders.interval_days,
                                    ctx.settings.reminders.max_count)
    people = await reminders.due(session, phase_id=snap.phase.id, today=slot.today,
                                 tz=ctx.programme.tz, rules=rules, prefer=ctx.settings.dm_channels)
    messages = []
    for person in people:
        standing = snap.units.get(person.unit_id)
        data = {"name": person.name, "phase": snap.phase, "days_left": snap.days_left_phase,
                "s": standing}
        messages.append(Planned(person.chat, "reminder/silent", data,
                                dedup_key=f"reminder:{slot.key}:m{person.member_id}",
                                member_id=person.member_id,
                                urgency=(standing.ratio or 0.0) if standing else 1.0,
                                unit_code=standing.code if standing else ""))

    async def bookkeeping(session: Session, kept: list[Planned],
                          _left: list[Planned]) -> list[Planned]:
        await reminders.record_sent(session, member_ids=[p.member_id for p in kept if p.member_id],
                                    phase_id=snap.phase.id, at=slot.at)
        return []

    return Plan(messages, {"members": len(messages)}, on_sent=bookkeeping)

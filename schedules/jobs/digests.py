"""`officer_digest` (each officer's union) and `district_digest` (blocks, for staff), by DM."""

from __future__ import annotations

from handlers.services import digests, recipients, standings
from handlers.services.outreach import Planned
from handlers.services.records import Role
from handlers.services.transactions import Session
from schedules.context import JobContext, Plan, Slot
from schedules.jobs.common import NO_PHASE, snapshot


async def officer_digest(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Plan a DM to every officer reachable in a private chat, about their union."""
    snap = await snapshot(ctx, session, slot)
    if snap is None:
        return Plan(result=dict(NO_PHASE))
    officers = await recipients.people(session, prefer=ctx.settings.dm_channels,
                                       roles=(Role.OFFICER,))
    silent = await standings.silent_counts(session, phase_id=snap.phase.id)
    messages = []
    for person in officers.values():
        standing = snap.units.get(person.unit_id)
        if standing is None:
            continue
        digest = digests.unit_digest(snap, standing, silent.get(standing.unit_id, 0))
        messages.append(Planned(person.chat, "digest/officer", {"d": digest, "name": person.name},
                                dedup_key=f"digest:{slot.key}:{standing.code}:m{person.member_id}",
                                member_id=person.member_id, urgency=standing.ratio or 0.0,
                                unit_code=standing.code))
    return Plan(messages, {"officers": len(messages)})


async def district_digest(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Plan a DM to every staff member: their blocks' totals, laggards and forecast."""
    snap = await snapshot(ctx, session, slot)
    if snap is None:
        return Plan(result=dict(NO_PHASE))
    staff = await recipients.people(session, prefer=ctx.settings.dm_channels,
                                    roles=(Role.STAFF, Role.ADMIN))
    own = await digests.block_targets(session, snap)
    messages = []
    for person in staff.values():
        home = snap.others.get(person.unit_id)
        blocks = snap.under(home) if home is not None else list(snap.blocks.values())
        summaries = [digests.block_summary(snap, b, own.get(b.id)) for b in blocks]
        if not summaries:
            continue
        messages.append(Planned(person.chat, "digest/district",
                                {"blocks": summaries, "phase": snap.phase,
                                 "days_left": snap.days_left_phase, "today": slot.today},
                                dedup_key=f"district:{slot.key}:m{person.member_id}",
                                member_id=person.member_id))
    return Plan(messages, {"staff": len(messages)})

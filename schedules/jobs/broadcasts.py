"""`broadcasts` (every minute): send the staff broadcasts whose time has come.

Each is resolved with the preview's function; its author (or, from the shell, every staff
member) gets a report of what was sent and who a short budget left out.
"""

from __future__ import annotations

from datetime import datetime

from handlers.services import broadcasts, recipients
from handlers.services.outreach import Planned
from handlers.services.records import Broadcast, Role
from handlers.services.transactions import Session
from schedules.context import JobContext, Plan, Slot


async def due_broadcasts(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Plan every due broadcast; mark them sent in the same transaction."""
    now = max(slot.at, ctx.clock.now())
    due = await broadcasts.list_due(session, now)
    if not due:
        return Plan()
    rules = broadcasts.Rules(today=slot.today, tz=ctx.programme.tz,
                             statuses=ctx.programme.counting_statuses,
                             lagging_share=ctx.programme.lagging_share,
                             prefer=ctx.settings.dm_channels)
    messages: list[Planned] = []
    for row in due:
        found = await broadcasts.resolve(session, audience=row.audience, code=row.audience_code,
                                         rules=rules,
                                         scope=await broadcasts.author_scope(session, row))
        messages += broadcasts.plan(row, found, sender=await broadcasts.sender_name(session, row))

    async def on_sent(session: Session, kept: list[Planned],
                      left: list[Planned]) -> list[Planned]:
        reports: list[Planned] = []
        for row in due:
            reports += await _finish(ctx, session, row, kept, left, now)
        return reports

    return Plan(messages, {"broadcasts": [row.id for row in due]}, on_sent=on_sent,
                reports_left_out=True)


async def _finish(ctx: JobContext, session: Session, row: Broadcast, kept: list[Planned],
                  left: list[Planned], now: datetime) -> list[Planned]:
    prefix = f"broadcast:{row.id}:"
    sent = [p for p in kept if p.dedup_key.startswith(prefix)]
    missed = [p for p in left if p.dedup_key.startswith(prefix)]
    await broadcasts.mark_sent(session, row, sent=len(sent), left_out=len(missed),
                               left_out_units=sorted({p.unit_code for p in missed if p.unit_code}),
                               now=now)
    if row.created_by_id is not None:
        people = await recipients.people(session, prefer=ctx.settings.dm_channels,
                                         member_ids=[row.created_by_id])
    else:
        people = await recipients.people(session, prefer=ctx.settings.dm_channels,
                                         roles=(Role.STAFF, Role.ADMIN))
    data = {"number": row.id, "sent": len(sent), "expected": row.expected,
            "left_out": len(missed), "units": row.left_out["units"]}
    return [Planned(p.chat, "broadcast/report", data, member_id=p.member_id,
                    dedup_key=f"{prefix}report:m{p.member_id}") for p in people.values()]

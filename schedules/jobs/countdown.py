"""`sprint_countdown`: a sprint's launch, 7/3/1 days before its end, and its closing summary."""

from __future__ import annotations

from datetime import date, timedelta

from handlers.services import phases, recipients, standings
from handlers.services.outreach import Planned
from handlers.services.records import Sprint
from handlers.services.standings import Snapshot
from handlers.services.transactions import Session
from schedules.context import JobContext, Plan, Slot
from schedules.jobs.common import NO_PHASE, snapshot

COUNTDOWN_DAYS = (7, 3, 1)


def sprint_event(sprint: Sprint, today: date) -> str | None:
    """Name what today is for a sprint: launch, d7/d3/d1 (days before its end), closing, or None."""
    if today == sprint.starts_on:
        return "launch"
    left = (sprint.ends_on - today).days
    if left in COUNTDOWN_DAYS and today > sprint.starts_on:
        return f"d{left}"
    if today == sprint.ends_on + timedelta(days=1):
        return "closing"
    return None


async def sprint_countdown(ctx: JobContext, session: Session, slot: Slot) -> Plan:
    """Plan the day's sprint messages to union groups and district groups (none on other days)."""
    snap = await snapshot(ctx, session, slot)
    if snap is None:
        return Plan(result=dict(NO_PHASE))
    sprints = await phases.list_sprints(session, snap.phase.id)
    messages: list[Planned] = []
    events = []
    for sprint in sprints:
        event = sprint_event(sprint, slot.today)
        if event is not None:
            events.append(f"{sprint.id}:{event}")
            messages += await _messages(ctx, session, snap, sprint, event)
    return Plan(messages, {"events": events})


async def _messages(ctx: JobContext, session: Session, snap: Snapshot, sprint: Sprint,
                    event: str) -> list[Planned]:
    start, _ = standings.day_bounds(sprint.starts_on, ctx.programme.tz)
    _, end = standings.day_bounds(sprint.ends_on, ctx.programme.tz)
    counts = await standings.counts_between(session, phase_id=snap.phase.id, since=start,
                                            until=end, statuses=ctx.programme.counting_statuses)
    base = {"event": event, "sprint": sprint, "phase": snap.phase,
            "days_left": max((sprint.ends_on - snap.today).days, 0)}
    planned = []
    for unit_id, refs in (await recipients.group_chats(session, unit_ids=list(snap.units))).items():
        s = snap.units[unit_id]
        data = {**base, "s": s, "in_sprint": counts.get(unit_id, 0)}
        planned += [Planned(ref, "countdown/unit", data, unit_code=s.code, urgency=s.ratio or 0.0,
                            dedup_key=f"countdown:{sprint.id}:{event}:{s.code}:{ref.channel}:{ref.chat_id}")
                    for ref in refs]
    for unit_id, refs in (await recipients.group_chats(session, grassroots=False)).items():
        home = snap.others.get(unit_id)
        blocks = [_block_totals(snap, b.id, b.name, counts) for b in snap.under(home)] if home else []
        data = {**base, "blocks": blocks, "total": sum(b["in_sprint"] for b in blocks)}
        planned += [Planned(ref, "countdown/district", data,
                            dedup_key=f"countdown:{sprint.id}:{event}:{home.code if home else unit_id}"
                                      f":{ref.channel}:{ref.chat_id}")
                    for ref in refs]
    return planned


def _block_totals(snap: Snapshot, block_id: int, name: str, counts: dict[int, int]) -> dict[str, object]:
    rows = snap.in_block(block_id)
    top = sorted(rows, key=lambda s: (-counts.get(s.unit_id, 0), s.code))[:3]
    return {"name": name, "in_sprint": sum(counts.get(s.unit_id, 0) for s in rows),
            "count": sum(s.count for s in rows), "target": sum(s.target for s in rows),
            "top": [{"name": s.name, "in_sprint": counts.get(s.unit_id, 0)} for s in top
                    if counts.get(s.unit_id, 0) > 0]}

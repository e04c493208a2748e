"""Runs one slot of one job exactly once: claim `(job, slot)`, plan, trim to budget, queue, record.

The claim, the queued messages and the record commit together, so a crash leaves either all or
nothing; a second worker (or a second fire of the same slot) finds the claim and does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers.services import job_runs, outreach, recipients
from handlers.services.job_runs import State as JobRunState
from handlers.services.outreach import Planned, Queuer
from handlers.services.records import Role
from handlers.services.transactions import Session, unit_of_work
from schedules import slots
from schedules.context import JobContext, Plan, Slot
from schedules.registry import JobSpec

log = logging.getLogger(__name__)

ALREADY = "already"
"""An outcome state: the slot had been claimed before (by this or another worker)."""


@dataclass(frozen=True)
class Outcome:
    """What one fire of a job did."""

    job: str
    slot: datetime
    state: str
    count: int = 0
    ids: tuple[int, ...] = ()
    reason: str | None = None
    left_out: int = 0
    result: dict[str, Any] = field(default_factory=dict)


async def fire(ctx: JobContext, spec: JobSpec, fired_at: datetime, *, manual: bool = False) -> Outcome:
    """Run the slot `fired_at` belongs to (the latest cron time at or before it)."""
    slot = slots.previous(spec.cron, ctx.programme.tz, fired_at)
    if slot is None:
        return Outcome(spec.name, fired_at, JobRunState.SKIPPED, reason="no_slot")
    return await run_slot(ctx, spec, slot, at=fired_at, manual=manual)


async def run_slot(ctx: JobContext, spec: JobSpec, slot: datetime, *, at: datetime,
                   manual: bool = False) -> Outcome:
    """Run one slot; `at` is when its messages would leave (quiet hours and holidays judge it).

    A manual run (an operator's `jobs run` or the console's `:run`) ignores pause, quiet hours
    and holidays: someone asked for it now. Quiet hours and holidays never hold a job that
    sends nothing (`JobSpec.sends`).
    """
    outcome = await _run_slot(ctx, spec, slot, at=at, manual=manual)
    ctx.metrics.job_run(spec.name, outcome.state)
    return outcome


async def _run_slot(ctx: JobContext, spec: JobSpec, slot: datetime, *, at: datetime,
                    manual: bool) -> Outcome:
    slot = slot.astimezone(UTC)
    deliver_at, state = ctx.clock.now(), JobRunState.DONE
    if not manual:
        reason = await _held_reason(ctx, spec)
        if reason is None and spec.sends and (closed := ctx.calendar.closed(at)) is not None:
            opens = ctx.calendar.next_open(at)
            upcoming = slots.following(spec.cron, ctx.programme.tz, slot)
            if spec.outside_hours == "shift" and (upcoming is None or opens < upcoming):
                deliver_at, state = opens, JobRunState.SHIFTED
            else:
                reason = closed.value
        if reason is not None:
            return await record(ctx, spec, slot, JobRunState.SKIPPED, reason=reason)
    try:
        outcome = await _run(ctx, spec, slot, deliver_at=deliver_at, state=state, manual=manual)
    except Exception as exc:
        log.exception("job %s slot %s failed", spec.name, slot.isoformat())
        return await _failed(ctx, spec, slot, exc, manual=manual)
    if ctx.send_now is not None and outcome.ids and deliver_at <= ctx.clock.now():
        await ctx.send_now(list(outcome.ids))
    return outcome


async def _held_reason(ctx: JobContext, spec: JobSpec) -> str | None:
    if not spec.enabled:
        return "disabled"
    async with unit_of_work(ctx.sessions) as session:
        return "paused" if spec.name in await job_runs.paused(session) else None


async def _run(ctx: JobContext, spec: JobSpec, slot: datetime, *, deliver_at: datetime,
               state: JobRunState, manual: bool) -> Outcome:
    now = ctx.clock.now()
    claim = {"job_name": spec.name, "slot": slot, "state": state, "count": 0, "result": {},
             "manual": manual, "worker": ctx.worker_id[:64], "started_at": now}
    async with unit_of_work(ctx.sessions) as session:
        run_id = await job_runs.claim(session, claim)
        if run_id is None:
            return await _already(session, spec, slot)
        today = slot.astimezone(ctx.programme.tz).date()
        plan = await spec.func(ctx, session, Slot(spec.name, slot, today, deliver_at, manual))
        if plan.messages and not spec.sends:
            # It ran regardless of quiet hours and holidays: it must not send (rolls back).
            raise RuntimeError(f"job {spec.name} sends nothing but planned {len(plan.messages)}")
        ids, left_out = await _queue(ctx, session, spec, slot, plan, deliver_at=deliver_at)
        result = {**plan.result, "left_out": len(left_out)}
        if state == JobRunState.SHIFTED:
            result["deliver_at"] = deliver_at.isoformat()
        if not plan.messages and not spec.record_empty:
            await job_runs.remove(session, run_id)
        else:
            await job_runs.finish(session, run_id, {"count": len(ids), "result": result,
                                                    "finished_at": ctx.clock.now()})
    log.info("job %s slot %s: %s, %d message(s) queued", spec.name, slot.isoformat(), state,
             len(ids))
    return Outcome(spec.name, slot, state, len(ids), tuple(ids), left_out=len(left_out),
                   result=result)


async def _already(session: Session, spec: JobSpec, slot: datetime) -> Outcome:
    existing = await job_runs.get(session, job_name=spec.name, slot=slot)
    log.info("job %s slot %s was already claimed", spec.name, slot.isoformat())
    return Outcome(spec.name, slot, ALREADY, existing.count if existing else 0,
                   reason=existing.state if existing else None,
                   result=dict(existing.result or {}) if existing else {})


async def _queue(ctx: JobContext, session: Session, spec: JobSpec, slot: datetime, plan: Plan,
                 *, deliver_at: datetime) -> tuple[list[int], list[Planned]]:
    now = ctx.clock.now()
    budgets = await outreach.budgets_for(session, ctx.quota, plan.messages, now)
    kept, left_out = outreach.apply_budget(plan.messages, budgets)
    queuer = Queuer(ctx.renderer, ctx.limits)
    ids = await queuer.queue(session, kept, now=now, not_before=deliver_at)
    extra = await plan.on_sent(session, kept, left_out) if plan.on_sent is not None else []
    if left_out and not plan.reports_left_out:
        extra += await left_out_notices(ctx, session, spec, slot, left_out)
    ids += await queuer.queue(session, extra, now=now, not_before=deliver_at)
    return ids, left_out


async def left_out_notices(ctx: JobContext, session: Session, spec: JobSpec, slot: datetime,
                           left_out: list[Planned]) -> list[Planned]:
    """Tell every staff member which units a short budget left out of a run."""
    staff = await recipients.people(session, prefer=ctx.settings.dm_channels,
                                    roles=(Role.STAFF, Role.ADMIN))
    units = sorted({p.unit_code for p in left_out if p.unit_code})
    channels = sorted({p.chat.channel for p in left_out})
    local = slot.astimezone(ctx.programme.tz)
    return [Planned(person.chat, "jobs/left_out",
                    {"job": spec.name, "slot": local, "count": len(left_out), "units": units,
                     "channels": channels},
                    dedup_key=f"leftout:{spec.name}:{local:%Y-%m-%dT%H:%M}:m{person.member_id}",
                    member_id=person.member_id)
            for person in staff.values()]


async def record(ctx: JobContext, spec: JobSpec, slot: datetime, state: JobRunState, *,
                 reason: str) -> Outcome:
    """Record a slot that was not run (skipped or missed), unless another worker recorded it."""
    slot = slot.astimezone(UTC)
    if spec.record_empty:
        async with unit_of_work(ctx.sessions) as session:
            await job_runs.record(session, {
                "job_name": spec.name, "slot": slot, "state": state, "count": 0,
                "result": {"reason": reason}, "manual": False, "worker": ctx.worker_id[:64],
                "started_at": ctx.clock.now(), "finished_at": ctx.clock.now()})
    log.info("job %s slot %s %s: %s", spec.name, slot.isoformat(), state, reason)
    return Outcome(spec.name, slot, state, reason=reason)


async def _failed(ctx: JobContext, spec: JobSpec, slot: datetime, exc: Exception, *,
                  manual: bool) -> Outcome:
    reason = type(exc).__name__
    values = {"job_name": spec.name, "slot": slot, "state": JobRunState.FAILED, "count": 0,
              "result": {"reason": reason}, "manual": manual, "worker": ctx.worker_id[:64],
              "started_at": ctx.clock.now(), "finished_at": ctx.clock.now()}
    async with unit_of_work(ctx.sessions) as session:
        await job_runs.record(session, values)
    return Outcome(spec.name, slot, JobRunState.FAILED, reason=reason)

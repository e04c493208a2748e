"""Scheduled jobs and broadcasts from the shell: `sangkien jobs …` and `sangkien broadcast …`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
from datetime import datetime
from typing import Any

from bot import scheduling
from bot.app import App
from bot.cli.context import UsageError, open_app
from bot.config import Config
from handlers.clock import local_today
from handlers.services import broadcasts
from handlers.services.transactions import unit_of_work
from schedules import control
from schedules.runner import fire


def register(sub: Any) -> None:
    """Add `jobs` and `broadcast`."""
    jobs = sub.add_parser("jobs", help="scheduled jobs").add_subparsers(dest="action", required=True)
    jobs.add_parser("list", help="every job with its next run and last result").set_defaults(
        func=cmd_list)
    run = jobs.add_parser("run", help="fire a job now, or as if it were --at")
    run.add_argument("name")
    run.add_argument("--at", help="ISO time, e.g. 2026-11-25T07:30 (local time if no zone)")
    run.set_defaults(func=cmd_run)
    for action, text in (("pause", "stop a job on every worker"), ("resume", "start it again")):
        one = jobs.add_parser(action, help=text)
        one.add_argument("name")
        one.set_defaults(func=cmd_pause, paused=action == "pause")
    cast = sub.add_parser("broadcast", help="queue a broadcast (or list / cancel scheduled ones)")
    cast.add_argument("--to", help="all | lagging | silent | block:CODE | unit:CODE")
    cast.add_argument("--text", help="the message")
    cast.add_argument("--at", help="ISO time to send at (local time if no zone); default now")
    cast.add_argument("--list", action="store_true", help="list broadcasts not sent yet")
    cast.add_argument("--cancel", type=int, metavar="ID", help="cancel a broadcast not sent yet")
    cast.set_defaults(func=cmd_broadcast)


def _spec(app: App, name: str) -> Any:
    registry = scheduling.specs(app)
    if name not in registry:
        raise UsageError(f"no job named {name!r}; jobs are: {', '.join(registry)}")
    return registry[name]


def _time(app: App, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return scheduling.parse_time(text, app)
    except ValueError as exc:
        raise UsageError(f"--at {text!r} is not an ISO time such as 2026-11-25T07:30") from exc


def cmd_list(config: Config, _args: argparse.Namespace) -> int:
    """Print every job with its next run and its last result."""
    async def go() -> str:
        async with open_app(config) as app:
            found = await control.list_jobs(scheduling.job_context(app), scheduling.specs(app))
            tz = config.programme.tz
            rows = [_local(job, tz) for job in found]
            return app.renderer.render("jobs/list", jobs=rows)

    print(asyncio.run(go()))
    return 0


def _local(job: control.JobStatus, tz: Any) -> control.JobStatus:
    from dataclasses import replace

    return replace(job, next_run=job.next_run.astimezone(tz) if job.next_run else None,
                   last_slot=job.last_slot.astimezone(tz) if job.last_slot else None)


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    """Fire one job; its messages are queued for the running bot's sender."""
    async def go() -> str:
        async with open_app(config) as app:
            spec = _spec(app, args.name)
            ctx = scheduling.job_context(app)
            outcome = await fire(ctx, spec, _time(app, args.at) or ctx.clock.now(), manual=True)
            return app.renderer.render("jobs/run_result", o=outcome,
                                       at=outcome.slot.astimezone(config.programme.tz))

    print(asyncio.run(go()))
    return 0


def cmd_pause(config: Config, args: argparse.Namespace) -> int:
    """Pause or resume a job for every worker."""
    async def go() -> str:
        async with open_app(config) as app:
            _spec(app, args.name)
            await control.set_paused(scheduling.job_context(app), args.name, paused=args.paused,
                                     by=f"cli:{getpass.getuser()}")
            return app.renderer.render("jobs/paused" if args.paused else "jobs/resumed",
                                       name=args.name)

    print(asyncio.run(go()))
    return 0


def cmd_broadcast(config: Config, args: argparse.Namespace) -> int:
    """Queue, list or cancel broadcasts from the shell."""
    if args.list:
        return asyncio.run(_list(config))
    if args.cancel is not None:
        return asyncio.run(_cancel(config, args.cancel))
    if not args.to or not args.text:
        raise UsageError("broadcast needs --to and --text (or --list, or --cancel ID)")
    return asyncio.run(_create(config, args))


async def _create(config: Config, args: argparse.Namespace) -> int:
    async with open_app(config) as app:
        ctx = scheduling.job_context(app)
        now = ctx.clock.now()
        send_at = _time(app, args.at) or now
        async with unit_of_work(app.sessions) as session:
            audience, code = await broadcasts.parse_audience(session, args.to)
            found = await broadcasts.resolve(session, audience=audience, code=code,
                                             rules=_rules(app, ctx))
            if not found:
                raise UsageError(f"nobody to send to for --to {args.to}")
            row = await broadcasts.create(session, audience=audience, code=code,
                                          text=args.text.strip(), send_at=send_at,
                                          expected=len(found), created_by_id=None, now=now)
        # Sent at once unless it is quiet hours or a holiday: then the scheduler sends it later.
        if send_at <= now and ctx.calendar.closed(now) is None:
            await fire(ctx, scheduling.specs(app)["broadcasts"], now, manual=True)
        print(app.renderer.render("broadcast/scheduled", number=row.id, expected=row.expected,
                                  at=send_at.astimezone(config.programme.tz) if args.at else None))
    return 0


def _rules(app: App, ctx: Any) -> broadcasts.Rules:
    programme = app.config.programme
    return broadcasts.Rules(today=local_today(ctx.clock, programme.tz), tz=programme.tz,
                            statuses=programme.counting_statuses,
                            lagging_share=programme.lagging_share,
                            prefer=app.config.schedules.dm_channels)


async def _list(config: Config) -> int:
    async with open_app(config) as app, unit_of_work(app.sessions) as session:
        rows = await broadcasts.list_scheduled(session)
        tz = config.programme.tz
        for row in rows:
            print(app.renderer.render("broadcast/scheduled_label", b=row, at=row.send_at.astimezone(tz)))
        if not rows:
            print(app.renderer.render("broadcast/none_scheduled"))
    return 0


async def _cancel(config: Config, number: int) -> int:
    async with open_app(config) as app:
        async with unit_of_work(app.sessions) as session:
            await broadcasts.cancel(session, number, now=app.clock.now())
        print(app.renderer.render("broadcast/cancelled", number=number))
    return 0

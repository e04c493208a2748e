"""`sangkien phase list|add|open|close`, `sangkien sprint start`, `sangkien targets copy|set`.

Calls the phase and target services (actor None: the operator at the shell) and renders the
same templates as /dot in chat.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from bot.app import App
from bot.cli.context import UsageError, open_app
from bot.config import Config
from handlers.clock import local_today
from handlers.services import phases as phase_service
from handlers.services import targets as target_service
from handlers.services.transactions import Session, unit_of_work

Action = Callable[[App, Session, argparse.Namespace], Awaitable[str]]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def register(sub: Any) -> None:
    """Add the phase, sprint and targets subcommands."""
    phase = sub.add_parser("phase", help="phases: list, add, open, close").add_subparsers(
        dest="action", required=True)
    phase.add_parser("list", help="every phase with its sprints").set_defaults(func=_run(_list))
    add = phase.add_parser("add", help="add a planned phase")
    add.add_argument("--number", type=int, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--start", type=_day, required=True, help="YYYY-MM-DD")
    add.add_argument("--end", type=_day, required=True, help="YYYY-MM-DD")
    add.set_defaults(func=_run(_add))
    for name, action in (("open", _open), ("close", _close)):
        one = phase.add_parser(name, help=f"{name} phase N (only one phase is open at a time)")
        one.add_argument("number", type=int)
        one.set_defaults(func=_run(action))
    sprint = sub.add_parser("sprint", help="sprints").add_subparsers(dest="action", required=True)
    start = sprint.add_parser("start", help="start a sprint inside a phase")
    start.add_argument("--phase", type=int, required=True)
    start.add_argument("--days", type=int, default=phase_service.DEFAULT_SPRINT_DAYS)
    start.add_argument("--start", type=_day, help="YYYY-MM-DD (default: today)")
    start.add_argument("--name", help="default: Đợt cao điểm N ngày")
    start.set_defaults(func=_run(_sprint))
    targets = sub.add_parser("targets", help="targets per unit and phase").add_subparsers(
        dest="action", required=True)
    copy = targets.add_parser("copy", help="copy a phase's targets (targets already set are kept)")
    copy.add_argument("--from", dest="source", type=int, required=True)
    copy.add_argument("--to", dest="target", type=int, required=True)
    copy.set_defaults(func=_run(_copy))
    one = targets.add_parser("set", help="set one grassroots union's target in a phase")
    one.add_argument("unit_code")
    one.add_argument("phase", type=int)
    one.add_argument("target", type=int)
    one.set_defaults(func=_run(_set))


def _run(action: Action) -> Callable[[Config, argparse.Namespace], int]:
    def command(config: Config, args: argparse.Namespace) -> int:
        async def go() -> str:
            async with open_app(config) as app, unit_of_work(app.sessions) as session:
                return await action(app, session, args)

        print(asyncio.run(go()))
        return 0

    return command


def _today(app: App) -> date:
    return local_today(app.clock, app.config.programme.tz)


async def _list(app: App, session: Session, _args: argparse.Namespace) -> str:
    views = await phase_service.overview(session, today=_today(app))
    return app.renderer.render("phases/list", views=views, today=_today(app))


async def _add(app: App, session: Session, args: argparse.Namespace) -> str:
    name = args.name.strip()
    if not name or len(name) > 120:
        raise UsageError("--name must be 1 to 120 characters")
    phase = await phase_service.add_phase(session, number=args.number, name=name,
                                          starts_on=args.start, ends_on=args.end, actor=None,
                                          at=app.clock.now())
    return app.renderer.render("phases/added", phase=phase)


async def _open(app: App, session: Session, args: argparse.Namespace) -> str:
    phase = await phase_service.open_phase(session, number=args.number, actor=None,
                                           at=app.clock.now())
    return app.renderer.render("phases/opened", phase=phase)


async def _close(app: App, session: Session, args: argparse.Namespace) -> str:
    phase, upcoming = await phase_service.close_phase(session, number=args.number, actor=None,
                                                      at=app.clock.now())
    return app.renderer.render("phases/closed", phase=phase, next=upcoming)


async def _sprint(app: App, session: Session, args: argparse.Namespace) -> str:
    name = (args.name or "").strip() or app.renderer.render("phases/sprint_name", days=args.days)
    sprint = await phase_service.start_sprint(
        session, number=args.phase, starts_on=args.start or _today(app), days=args.days,
        name=name[:120], actor=None, at=app.clock.now())
    return app.renderer.render("phases/sprint_started", sprint=sprint,
                               phase=await phase_service.get(session, args.phase))


async def _copy(app: App, session: Session, args: argparse.Namespace) -> str:
    result = await target_service.copy_targets(session, from_number=args.source,
                                               to_number=args.target, actor=None,
                                               at=app.clock.now())
    return app.renderer.render("phases/targets_copied", r=result)


async def _set(app: App, session: Session, args: argparse.Namespace) -> str:
    change = await target_service.set_target(session, unit_code=args.unit_code,
                                             number=args.phase, target=args.target, actor=None,
                                             at=app.clock.now())
    return app.renderer.render("phases/target_set", c=change)

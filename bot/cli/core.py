"""Core subcommands: run, console, db upgrade, demo load (reports live in bot/cli/reports.py)."""

from __future__ import annotations

import argparse
import asyncio
import gc
from typing import Any

from bot.app import upgrade_database
from bot.cli import reports
from bot.cli.context import UsageError, open_app
from bot.config import Config
from handlers.clock import local_today
from handlers.parsing import normalize_phone
from handlers.services import demo
from handlers.services.transactions import unit_of_work

YOUNG_COLLECTION_EVERY = 10_000
"""Allocations between two collections of Python's youngest generation while serving (default 700).

Each update builds and drops thousands of short-lived objects (the platform's JSON, the driver's
rows); at 700 the collector went over them several times an update, 4-5% of the bot's CPU
(docs/benchmarks.md, session 6). Older generations keep their defaults."""


def register(sub: Any) -> None:
    """Add the core subcommands."""
    sub.add_parser("run", help="serve the configured channels, scheduler and web server"
                   ).set_defaults(func=cmd_run)
    con = sub.add_parser("console", help="chat with the bot in the terminal")
    con.add_argument("--as", dest="phone", help="act as the member with this phone")
    con.add_argument("--in", dest="where", default="dm", help="dm or group:UNIT_CODE")
    con.add_argument("--with-jobs", action="store_true", help="run the scheduler too")
    con.set_defaults(func=cmd_console)
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="action",
                                                                          required=True)
    db.add_parser("upgrade", help="apply migrations (alembic upgrade head)").set_defaults(func=cmd_db)
    dem = sub.add_parser("demo", help="demo data").add_subparsers(dest="action", required=True)
    load = dem.add_parser("load", help="load the demo federation")
    load.add_argument("--scale", choices=["district", "national"], default="district")
    load.add_argument("--seed", type=int, default=1)
    load.add_argument("--fraction", type=float, default=1.0,
                      help="national only: generate this share of the full size (e.g. 0.01)")
    load.add_argument("--if-empty", action="store_true", help="do nothing if data is present")
    load.set_defaults(func=cmd_demo)


def cmd_run(config: Config, _args: argparse.Namespace) -> int:
    """Serve until stopped, on uvloop where it is installed (a quarter less CPU per update)."""
    from bot import runtime  # the web server and the channels: only the commands that serve

    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    try:
        import uvloop
    except ImportError:  # not on Windows
        return asyncio.run(runtime.serve(config))
    return uvloop.run(runtime.serve(config))


def cmd_console(config: Config, args: argparse.Namespace) -> int:
    """Chat in the terminal."""
    from bot import runtime

    phone = _phone_arg(args.phone)

    async def go() -> None:
        async with open_app(config) as app:
            await runtime.console(app, phone=phone, where=args.where, with_jobs=args.with_jobs)

    asyncio.run(go())
    return 0


def _phone_arg(value: str | None) -> str | None:
    if value is None:
        return None
    phone = normalize_phone(value)
    if phone is None:
        raise UsageError(f"--as {value!r} is not a Vietnamese mobile number")
    return phone


def cmd_db(config: Config, _args: argparse.Namespace) -> int:
    """Apply the migrations."""
    upgrade_database(config)
    print("database is up to date")
    return 0


def cmd_demo(config: Config, args: argparse.Namespace) -> int:
    """Load the demo federation (or the national data set, see bot/cli/reports.py)."""
    if args.scale == "national":
        return reports.cmd_demo_national(config, args)

    async def go() -> int:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            if await demo.has_data(session):
                if args.if_empty:
                    return 0
                raise UsageError("the database already holds data; demo load needs an empty one")
            summary = await demo.load_district(
                session, today=local_today(app.clock, config.programme.tz),
                tz=config.programme.tz, fields=config.programme.fields, seed=args.seed,
                prefix=config.programme.number_prefix)
        print(f"demo loaded: {summary.units} units, {summary.members} members, "
              f"{summary.initiatives} initiatives")
        return 0

    return asyncio.run(go())

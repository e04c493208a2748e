"""The `sangkien` command line (also `python -m bot`). Exit codes: 0 done, 2 bad usage or input, 1 else."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import astuple
from pathlib import Path

from bot import logs, runtime
from bot.app import App, DatabaseUnavailable
from bot.config import Config, ConfigError, load_config
from handlers.clock import local_today
from handlers.errors import UserError
from handlers.services import demo, reports
from storage import migrate
from storage.db import unit_of_work

log = logging.getLogger(__name__)


class UsageError(Exception):
    """Bad usage or bad input: one line on stderr, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand."""
    parser = argparse.ArgumentParser(prog="sangkien", description="sangkien-bot")
    parser.add_argument("--config", help="config file (default: config.yaml or $SANGKIEN_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="serve the configured channels, scheduler and web server")
    con = sub.add_parser("console", help="chat with the bot in the terminal")
    con.add_argument("--as", dest="phone", help="act as the member with this phone")
    con.add_argument("--in", dest="where", default="dm", help="dm or group:UNIT_CODE")
    con.add_argument("--with-jobs", action="store_true", help="run the scheduler too")
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply migrations (alembic upgrade head)")
    dem = sub.add_parser("demo", help="demo data").add_subparsers(dest="action", required=True)
    load = dem.add_parser("load", help="load the demo federation")
    load.add_argument("--scale", choices=["district"], default="district")
    load.add_argument("--seed", type=int, default=1)
    load.add_argument("--if-empty", action="store_true", help="do nothing if data is present")
    rep = sub.add_parser("report", help="reports")
    rep.add_argument("kind", choices=["initiatives"])
    rep.add_argument("--phase", type=int)
    rep.add_argument("--block")
    rep.add_argument("--unit")
    rep.add_argument("--format", choices=["text", "csv"], default="text")
    rep.add_argument("-o", "--output", help="write to FILE instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one CLI command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
        _configure_logging(config, args)
        return COMMANDS[args.command](config, args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    except DatabaseUnavailable as exc:
        print(f"sangkien: {exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"sangkien: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _configure_logging(config: Config, args: argparse.Namespace) -> None:
    terminal_chat = args.command == "console" or (
        args.command == "run" and runtime.console_wanted(config))
    secrets = [config.telegram.token, config.zalo.token, config.telegram.webhook_secret,
               config.zalo.webhook_secret]
    logs.configure(config.logging.level, secrets=secrets,
                   file=Path("data/sangkien.log") if terminal_chat else None)


def cmd_run(config: Config, _args: argparse.Namespace) -> int:
    return asyncio.run(runtime.serve(config))


def cmd_console(config: Config, args: argparse.Namespace) -> int:
    async def go() -> None:
        app = App.create(config)
        try:
            await app.check_database()
            await runtime.console(app, phone=_phone_arg(args.phone), where=args.where)
        finally:
            await app.close()

    asyncio.run(go())
    return 0


def _phone_arg(value: str | None) -> str | None:
    from handlers.parsing import normalize_phone

    if value is None:
        return None
    phone = normalize_phone(value)
    if phone is None:
        raise UsageError(f"--as {value!r} is not a Vietnamese mobile number")
    return phone


def cmd_db(config: Config, _args: argparse.Namespace) -> int:
    migrate.upgrade(config.database.url)
    print("database is up to date")
    return 0


def cmd_demo(config: Config, args: argparse.Namespace) -> int:
    async def go() -> int:
        app = App.create(config)
        try:
            await app.check_database()
            async with unit_of_work(app.sessions) as session:
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
        finally:
            await app.close()

    return asyncio.run(go())


def cmd_report(config: Config, args: argparse.Namespace) -> int:
    async def go() -> str:
        app = App.create(config)
        try:
            await app.check_database()
            async with app.sessions() as session:
                rows = await reports.initiative_rows(session, tz=config.programme.tz,
                                                     phase=args.phase, unit=args.unit,
                                                     block=args.block)
            if args.format == "csv":
                return _csv(app.renderer.lines("reports/initiatives_header"), rows)
            return app.renderer.render("reports/initiatives", rows=rows) + "\n"
        except UserError as exc:
            raise UsageError(app.renderer.render(exc.template, **exc.data)) from exc
        finally:
            await app.close()

    _write(asyncio.run(go()), args.output)
    return 0


def _csv(header: Sequence[str], rows: Sequence[object]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in astuple(row)])  # type: ignore[call-overload]
    return buffer.getvalue()


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    # Excel opens UTF-8 CSV with Vietnamese correctly only with a byte-order mark.
    encoding = "utf-8-sig" if output.endswith(".csv") else "utf-8"
    Path(output).write_text(text, encoding=encoding)


COMMANDS: dict[str, Callable[[Config, argparse.Namespace], int]] = {
    "run": cmd_run, "console": cmd_console, "db": cmd_db, "demo": cmd_demo, "report": cmd_report,
}

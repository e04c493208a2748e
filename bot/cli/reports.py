"""Report subcommands: `sangkien report league|units|awards|benefits|silent|initiatives|duplicates`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from tqdm import tqdm

from bot.cli.context import UsageError, open_app, write_output
from bot.config import Config
from handlers.clock import local_today
from handlers.exports import build
from handlers.services import demo, demo_national
from handlers.services.transactions import unit_of_work


def register(sub: Any) -> None:
    """Add the `report` subcommand."""
    rep = sub.add_parser("report", help="the reports staff look at (text, csv, xlsx, png)")
    rep.add_argument("kind", choices=build.KINDS)
    rep.add_argument("--phase", type=int, help="phase number (default: the open phase)")
    rep.add_argument("--block", help="a block (or any unit) code: only what is under it")
    rep.add_argument("--unit", help="a unit code: that unit (league: its block, highlighted)")
    rep.add_argument("--not-on-portal", action="store_true",
                     help="initiatives: only counted ones not yet typed into the national portal")
    rep.add_argument("--format", choices=build.FORMATS, default="text")
    rep.add_argument("-o", "--output", help="write to FILE instead of stdout")
    rep.set_defaults(func=cmd_report)


def cmd_report(config: Config, args: argparse.Namespace) -> int:
    """Print or write a report."""
    if args.format in ("xlsx", "png") and args.output is None and sys.stdout.isatty():
        raise UsageError(f"--format {args.format} writes a binary file: add -o FILE")
    if args.not_on_portal and args.kind != "initiatives":
        raise UsageError("--not-on-portal goes with `report initiatives`")
    request = build.Request(kind=args.kind, fmt=args.format, phase=args.phase, block=args.block,
                            unit=args.unit, not_on_portal=args.not_on_portal)
    bar = tqdm(total=3, desc=f"report {args.kind}", unit="step", disable=not sys.stderr.isatty(),
               leave=False)

    async def go() -> build.Output:
        async with open_app(config) as app, app.sessions() as session:
            bar.update(1)
            ctx = build.Context(programme=config.programme, reports=config.reports,
                                renderer=app.renderer, now=app.clock.now(),
                                today=local_today(app.clock, config.programme.tz))
            output = await build.produce(session, request, ctx)
            bar.update(1)
            return output

    try:
        output = asyncio.run(go())
        write_output(output.data, args.output)
        bar.update(1)
    finally:
        bar.close()
    if args.output:
        print(f"{args.output}: {output.rows} rows", file=sys.stderr)
    return 0


def cmd_demo_national(config: Config, args: argparse.Namespace) -> int:
    """Generate the national data set (minutes on PostgreSQL; slow on SQLite)."""
    if not 0 < args.fraction <= 1:
        raise UsageError("--fraction must be above 0 and at most 1")
    bar = tqdm(total=demo_national.planned_rows(args.fraction), unit="row", unit_scale=True,
               desc="national demo", disable=not sys.stderr.isatty())

    def tell(stage: str, rows: int) -> None:
        bar.set_postfix_str(stage, refresh=False)
        bar.update(rows)

    async def go() -> demo.DemoSummary:
        async with open_app(config) as app:
            async with unit_of_work(app.sessions) as session:
                if await demo.has_data(session):
                    if args.if_empty:
                        return demo.DemoSummary(0, 0, 0)
                    raise UsageError("the database already holds data; demo load needs an empty one")
                summary = await demo_national.load_national(
                    session, today=local_today(app.clock, config.programme.tz),
                    tz=config.programme.tz, fields=config.programme.fields, seed=args.seed,
                    prefix=config.programme.number_prefix, fraction=args.fraction, progress=tell)
            await demo_national.vacuum(app.engine)
            return summary

    try:
        summary = asyncio.run(go())
    finally:
        bar.close()
    print(f"demo loaded: {summary.units} units, {summary.members} members, "
          f"{summary.initiatives} initiatives")
    return 0

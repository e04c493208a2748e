"""`sangkien import units|members|targets FILE [--apply]` and `--template -o FILE.xlsx`.

Calls the roster service and renders its report; a progress bar on stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from tqdm import tqdm

from bot.cli.context import UsageError, open_app, write_output
from bot.config import Config
from handlers.services import rosters
from handlers.services.transactions import unit_of_work
from handlers.texts import Renderer

CHANGES_SHOWN = 100


def register(sub: Any) -> None:
    """Add the import subcommand."""
    imp = sub.add_parser("import", help="import units, members or targets from .xlsx or .csv",
                         description="A dry run unless --apply; exit 2 when any row is bad.")
    imp.add_argument("kind", choices=[kind.value for kind in rosters.RosterKind])
    imp.add_argument("file", nargs="?", help=".xlsx or .csv with a header row")
    imp.add_argument("--apply", action="store_true", help="write the changes (all or nothing)")
    imp.add_argument("--template", action="store_true", help="write a template file to fill in")
    imp.add_argument("-o", "--output", help="where --template writes (.xlsx or .csv)")
    imp.add_argument("--show", type=int, default=CHANGES_SHOWN, metavar="N",
                     help=f"list at most N changes (default {CHANGES_SHOWN}; 0 lists all)")
    imp.set_defaults(func=cmd_import)


def cmd_import(config: Config, args: argparse.Namespace) -> int:
    """Import a roster file, or write a template of one."""
    kind = rosters.RosterKind(args.kind)
    if args.template:
        return _write_template(config, kind, args.output)
    if not args.file:
        raise UsageError("FILE is required (or --template -o FILE.xlsx for a template)")
    return asyncio.run(_import(config, kind, Path(args.file), apply=args.apply, show=args.show))


def _write_template(config: Config, kind: rosters.RosterKind, output: str | None) -> int:
    if not output or Path(output).suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError("--template needs -o FILE.xlsx (or FILE.csv)")
    from handlers.services.rosters import template  # openpyxl: only for template files

    renderer = Renderer(tz=config.programme.tz)
    if output.lower().endswith(".csv"):
        write_output(template.build_csv(kind, renderer), output)
    else:
        write_output(template.build_xlsx(kind, renderer), output)
    print(f"template written to {output}")
    return 0


async def _import(config: Config, kind: rosters.RosterKind, path: Path, *, apply: bool,
                  show: int) -> int:
    async with open_app(config) as app:
        with BarProgress() as progress:
            async with unit_of_work(app.sessions) as session:
                plan = await rosters.import_file(session, path, kind=kind, at=app.clock.now(),
                                                 apply=apply, progress=progress,
                                                 listed=show if show > 0 else None)
        render = app.renderer.render
        print(render("rosters/report", plan=plan, bad_limit=len(plan.bad),
                     change_limit=show if show > 0 else plan.changed))
        if not plan.ok:
            print("sangkien: " + render("rosters/cli_refused", plan=plan), file=sys.stderr)
            return 2
        if plan.applied:
            print(render("rosters/applied", plan=plan))
        elif not plan.changed:
            print(render("rosters/nothing_to_change"))
        else:
            print(render("rosters/dry_run"))
        return 0


class BarProgress:
    """A tqdm bar per stage on stderr, shown only when stderr is a terminal."""

    def __init__(self) -> None:
        self.bar: tqdm[Any] | None = None
        self.enabled = sys.stderr.isatty()

    def begin(self, stage: str, total: int) -> None:
        """Start a new bar for a stage."""
        self.close()
        if self.enabled:
            self.bar = tqdm(total=total, desc=stage, unit=" rows", file=sys.stderr, leave=False)

    def advance(self, count: int) -> None:
        """Move the bar."""
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> BarProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

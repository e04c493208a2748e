"""The `sangkien` command line (also `python -m bot`).

Exit codes: 0 done, 2 bad usage or bad input (one line on stderr), 1 anything else.
Each area registers its subcommands from its own module, listed in AREAS.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import logs
from bot.app import DatabaseUnavailable
from bot.cli import (
    core,
    jobs,
    officers,
    outbox,
    phases,
    reports,
    rosters,
    telegram,
    updates,
    web,
    zalo,
)
from bot.cli.context import UsageError
from bot.config import Config, ConfigError, load_config

log = logging.getLogger(__name__)

AREAS = (core, jobs, officers, outbox, phases, reports, rosters, telegram, updates, web, zalo)


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand of every area."""
    parser = argparse.ArgumentParser(prog="sangkien", description="sangkien-bot")
    parser.add_argument("--config", help="config file (default: config.yaml or $SANGKIEN_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one CLI command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
        _configure_logging(config, args)
        return args.func(config, args)
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
        args.command == "run" and config.console_wanted)
    secrets = [config.telegram.token, config.zalo.token, config.telegram.webhook_secret,
               config.zalo.webhook_secret]
    logs.configure(config.logging.level, libraries=config.logging.libraries, secrets=secrets,
                   file=Path("data/sangkien.log") if terminal_chat else None)

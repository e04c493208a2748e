"""Telegram subcommands: `sangkien qr` makes "scan to join" QR posters for grassroots unions.

python-telegram-bot, Pillow and qrcode are imported only when `qr` runs, so other commands
start quickly.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.cli.context import UsageError, open_app
from bot.config import Config
from handlers.services.posters import units_for_posters
from handlers.services.transactions import unit_of_work


def register(sub: Any) -> None:
    """Add `qr`."""
    qr = sub.add_parser("qr", help="QR poster(s) that open the Telegram bot for a unit")
    which = qr.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", help="grassroots union code, e.g. DN01")
    which.add_argument("--all", action="store_true", help="one poster per grassroots union")
    qr.add_argument("-o", "--output", required=True,
                    help="FILE.png with --unit; a directory with --all")
    qr.add_argument("--bot", help="the bot's username (default: telegram.bot_username, or getMe)")
    qr.set_defaults(func=cmd_qr)


def cmd_qr(config: Config, args: argparse.Namespace) -> int:
    """Write the poster(s) and print where they went."""
    from bot.channels.telegram.poster import make_poster

    async def go() -> list[Path]:
        username = args.bot or config.telegram.bot_username or await _ask_username(config)
        async with open_app(config) as app:
            async with unit_of_work(app.sessions) as session:
                units = await units_for_posters(session, code=None if args.all else args.unit)
            written = []
            for unit in units:
                link = _link(username, unit.code)
                lines = app.renderer.lines("telegram/qr_poster", unit=unit, link=link)
                path = _target(Path(args.output), unit.code, many=args.all)
                path.write_bytes(make_poster(lines, link))
                written.append(path)
            return written

    for path in asyncio.run(go()):
        print(path)
    return 0


def _link(username: str, code: str) -> str:
    from bot.channels.telegram.poster import start_link

    try:
        return start_link(username, code)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _target(output: Path, code: str, *, many: bool) -> Path:
    if not many:
        if output.suffix.lower() != ".png":
            raise UsageError(f"-o {output}: the poster is a PNG file (FILE.png)")
        output.parent.mkdir(parents=True, exist_ok=True)
        return output
    output.mkdir(parents=True, exist_ok=True)
    return output / f"qr-{code}.png"


async def _ask_username(config: Config) -> str:
    """Ask Telegram (getMe) for the bot's username; needs the token."""
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.channels.telegram.errors import describe

    settings = config.telegram
    if not settings.token:
        raise UsageError("no bot username: pass --bot NAME, or set "
                         "SANGKIEN__TELEGRAM__BOT_USERNAME or SANGKIEN__TELEGRAM__TOKEN")
    try:
        async with Bot(settings.token, base_url=settings.base_url) as bot:
            return bot.username
    except TelegramError as exc:
        raise UsageError(f"cannot ask Telegram for the bot's username ({describe(exc)}); "
                         "pass --bot NAME") from exc

"""Officer and staff subcommands: one-time link codes and the portal hand-off."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.context import UsageError, open_app
from bot.config import Config
from handlers.parsing import normalize_phone
from handlers.services import initiatives, verification
from handlers.services.transactions import unit_of_work


def register(sub: Any) -> None:
    """Add `link-code` and `portal mark`."""
    code = sub.add_parser("link-code", help="a one-time code that links a member's chat account")
    code.add_argument("phone")
    code.set_defaults(func=cmd_link_code)
    portal = sub.add_parser("portal", help="the national portal hand-off").add_subparsers(
        dest="action", required=True)
    mark = portal.add_parser("mark", help="record initiatives as typed into the portal")
    mark.add_argument("numbers", nargs="+", metavar="SK-NUMBER")
    mark.set_defaults(func=cmd_portal_mark)


def cmd_link_code(config: Config, args: argparse.Namespace) -> int:
    """Print a one-time code for the member with this phone."""
    phone = normalize_phone(args.phone)
    if phone is None:
        raise UsageError(f"{args.phone!r} is not a Vietnamese mobile number")

    async def go() -> str:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            code, member = await verification.issue_code(session, phone=phone, by=None,
                                                         now=app.clock.now())
            hours = int(verification.CODE_TTL.total_seconds() // 3600)
            return app.renderer.render("verify/code_issued", code=code, name=member.name,
                                       hours=hours)

    print(asyncio.run(go()))
    return 0


def cmd_portal_mark(config: Config, args: argparse.Namespace) -> int:
    """Record initiatives as entered on the national portal."""
    async def go() -> str:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            rows = await initiatives.mark_on_portal(session, by=None, numbers=args.numbers,
                                                    now=app.clock.now())
            return app.renderer.render("initiatives/on_portal", initiatives=rows)

    print(asyncio.run(go()))
    return 0

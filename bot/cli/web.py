"""Web page subcommands: `sangkien web link PHONE` prints a one-time sign-in link."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.context import UsageError, open_app
from bot.config import Config
from handlers.parsing import normalize_phone
from handlers.services import web_access
from handlers.services.transactions import unit_of_work


def register(sub: Any) -> None:
    """Add `web link`."""
    web = sub.add_parser("web", help="the web page for officers and staff").add_subparsers(
        dest="action", required=True)
    link = web.add_parser("link", help="print a one-time sign-in link for an officer or staff")
    link.add_argument("phone")
    link.set_defaults(func=cmd_link)


def cmd_link(config: Config, args: argparse.Namespace) -> int:
    """Print a sign-in link for the member with this phone (officer, staff or admin)."""
    phone = normalize_phone(args.phone)
    if phone is None:
        raise UsageError(f"{args.phone!r} is not a Vietnamese mobile number")

    async def go() -> str:
        async with open_app(config) as app:
            policy = app.signin
            if policy is None:
                raise UsageError(app.renderer.render("signin/disabled"))
            async with unit_of_work(app.sessions) as session:
                url, _member = await web_access.issue_link_for_phone(
                    session, phone=phone, policy=policy, now=app.clock.now())
            minutes = int(policy.link_ttl.total_seconds() // 60)
            return app.renderer.render("signin/link", url=url, minutes=minutes)

    print(asyncio.run(go()))
    return 0

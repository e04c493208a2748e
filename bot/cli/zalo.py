"""`sangkien zalo …`: the Zalo channel's quota and pause, and its webhook (operator commands)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.cli.context import UsageError, open_app
from bot.config import Config
from handlers.services import quota
from handlers.services.transactions import unit_of_work

CHANNEL = "zalo"


def register(sub: Any) -> None:
    """Add `zalo status`, `zalo resume` and `zalo webhook info|set|delete`."""
    zalo = sub.add_parser("zalo", help="the Zalo channel: quota, pause, webhook")
    actions = zalo.add_subparsers(dest="action", required=True)
    actions.add_parser("status", help="messages sent this month against the quota, and any pause"
                       ).set_defaults(func=cmd_status)
    actions.add_parser("resume", help="lift a pause (e.g. after upgrading the Zalo plan)"
                       ).set_defaults(func=cmd_resume)
    hook = actions.add_parser("webhook", help="show, set (zalo.webhook_url) or delete the webhook")
    hook.add_argument("what", choices=["info", "set", "delete"])
    hook.set_defaults(func=cmd_webhook)


def cmd_status(config: Config, _args: argparse.Namespace) -> int:
    """Print this month's usage against `zalo.monthly_quota`."""
    async def go() -> quota.Usage:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            return await quota.usage_of(session, channel=CHANNEL, now=app.clock.now(),
                                        quota=config.zalo.monthly_quota, tz=config.programme.tz)

    usage = asyncio.run(go())
    limit = usage.quota if usage.quota is not None else "no quota"
    print(f"zalo {usage.month:%Y-%m}: sent {usage.spent}, queued {usage.queued}, quota {limit}, "
          f"remaining {usage.remaining if usage.remaining is not None else '-'}")
    if usage.paused_until is not None:
        local = usage.paused_until.astimezone(config.programme.tz)
        print(f"paused until {local:%Y-%m-%d %H:%M} ({config.programme.timezone})")
    return 0


def cmd_resume(config: Config, _args: argparse.Namespace) -> int:
    """Lift the pause; the held messages are due again."""
    async def go() -> int | None:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            return await quota.resume(session, channel=CHANNEL, now=app.clock.now())

    released = asyncio.run(go())
    print("zalo was not paused" if released is None else f"zalo resumed: {released} messages due")
    return 0


def cmd_webhook(config: Config, args: argparse.Namespace) -> int:
    """Show, set or delete the bot's webhook (set uses zalo.webhook_url and the secret)."""
    settings = config.zalo
    if not settings.token:
        raise UsageError("no Zalo token: set SANGKIEN__ZALO__TOKEN")
    if args.what == "set" and not (settings.webhook_url and settings.webhook_secret):
        raise UsageError("webhook set needs zalo.webhook_url and SANGKIEN__ZALO__WEBHOOK_SECRET")
    from bot.channels.zalo.client import ZaloClient, ZaloError, ZaloUnavailable  # aiohttp

    async def go() -> str | None:
        client = ZaloClient(base_url=settings.base_url, token=settings.token,
                            request_timeout=settings.request_timeout)
        try:
            if args.what == "set":
                await client.set_webhook(settings.webhook_url, settings.webhook_secret)
            elif args.what == "delete":
                await client.delete_webhook()
            info = await client.get_webhook_info()
        except (ZaloError, ZaloUnavailable) as exc:
            print(f"sangkien: {exc}", file=sys.stderr)
            return None
        finally:
            await client.close()
        return f"webhook: {(info or {}).get('url') or 'none (polling works)'}"

    answer = asyncio.run(go())
    if answer is None:
        return 1
    print(answer)
    return 0

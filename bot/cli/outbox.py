"""`sangkien outbox …`: look at messages not surely delivered, resend or dismiss them (operators).

Never prints a phone number: members appear by name, and numbers in texts or errors are masked.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from typing import Any

from bot.cli.context import UsageError, open_app
from bot.config import Config
from bot.logs import Redactor
from handlers.services import outbox as outbox_service
from handlers.services.records import OutboxStatus
from handlers.services.transactions import unit_of_work

PREVIEW = 60
LISTABLE = ("uncertain", "failed", "pending", "claimed", "sending", "gone")

RESEND_HELP = """\
Put `uncertain` or `failed` messages back in the queue (status pending, attempts 0, due now);
the running bot's sender delivers them. An `uncertain` message may already have reached the
person: resending it can make them receive it twice, so look at the chat or ask them first.
Messages in any other status (sent, pending, gone…) or unknown ids are refused: they are named
in one line on stderr, left unchanged, and the command exits 2 (the others are still resent)."""

DISMISS_HELP = """\
Close `uncertain` messages without sending them again, when the person did get them (or no
longer needs them). They become `failed` with a last error starting "dismissed:" (the bot does
not know they arrived, and will not try again), so `sangkien outbox list --status failed` shows
them and `sangkien outbox resend ID` can still send one later. Other statuses are refused (exit 2)."""


def register(sub: Any) -> None:
    """Add `outbox list`, `outbox resend`, `outbox dismiss` and `outbox stats`."""
    outbox = sub.add_parser("outbox", help="messages not surely delivered: list, resend, dismiss")
    actions = outbox.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="messages in one status (default uncertain)")
    listing.add_argument("--status", choices=LISTABLE, default="uncertain")
    listing.add_argument("--limit", type=_positive, default=50, help="at most N rows (default 50)")
    listing.set_defaults(func=cmd_list)
    for action, text, details, func in (
            ("resend", "send uncertain or failed messages again (maybe twice!)", RESEND_HELP,
             cmd_resend),
            ("dismiss", "close uncertain messages without resending them", DISMISS_HELP,
             cmd_dismiss)):
        one = actions.add_parser(action, help=text, description=details,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        one.add_argument("ids", nargs="+", type=_positive, metavar="ID")
        one.set_defaults(func=func)
    actions.add_parser("stats", help="how many messages per channel and status").set_defaults(
        func=cmd_stats)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def cmd_list(config: Config, args: argparse.Namespace) -> int:
    """Print one line per message in a status, oldest first."""
    async def go() -> list[outbox_service.QueuedMessage]:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            return await outbox_service.list_messages(session, status=args.status,
                                                      limit=args.limit + 1)

    found = asyncio.run(go())
    if not found:
        print(f"no {args.status} messages")
        return 0
    shown = found[:args.limit]
    more = " (more exist: raise --limit)" if len(found) > args.limit else ""
    print(f"{len(shown)} {args.status} message{'s' * (len(shown) != 1)}{more}, oldest first; "
          f"times in {config.programme.timezone}:")
    redactor = Redactor()
    for message in shown:
        print(_line(message, config, redactor))
    return 0


def _line(m: outbox_service.QueuedMessage, config: Config, redactor: Redactor) -> str:
    claimed = (m.claimed_at.astimezone(config.programme.tz).strftime("%Y-%m-%d %H:%M:%S")
               if m.claimed_at else "-")
    member = f'"{m.member_name}"' if m.member_name else "-"
    error = f'"{_one_line(m.last_error, redactor, 200)}"' if m.last_error else "-"
    return (f"#{m.id} {m.channel} chat={m.chat_id} member={member} status={m.status} "
            f"attempts={m.attempts} claimed_by={m.claimed_by or '-'} claimed_at={claimed} "
            f'last_error={error} text="{_one_line(m.text, redactor, PREVIEW)}"')


def _one_line(text: str, redactor: Redactor, width: int) -> str:
    """Squash whitespace, mask phone numbers, cut to `width` characters."""
    flat = redactor.redact(" ".join(text.split())).replace('"', "'")
    return flat if len(flat) <= width else flat[:width - 1].rstrip() + "…"


def cmd_resend(config: Config, args: argparse.Namespace) -> int:
    """Put uncertain or failed messages back to pending."""
    change = asyncio.run(_change(config, outbox_service.resend, args.ids))
    if change.changed:
        print(f"resent {_ids(change.changed)}: pending again, the running bot sends "
              f"{'it' if len(change.changed) == 1 else 'them'} (outbox.drain_interval_seconds)")
    _refuse(change, "resent", "uncertain or failed")
    return 0


def cmd_dismiss(config: Config, args: argparse.Namespace) -> int:
    """Close uncertain messages without resending them."""
    change = asyncio.run(_change(config, outbox_service.dismiss, args.ids))
    if change.changed:
        print(f"dismissed {_ids(change.changed)}: now failed (\"dismissed: …\"), not resent")
    _refuse(change, "dismissed", "uncertain")
    return 0


async def _change(config: Config, action: Any, ids: list[int]) -> outbox_service.Change:
    async with open_app(config) as app, unit_of_work(app.sessions) as session:
        return await action(session, ids, now=app.clock.now(), by=f"cli:{getpass.getuser()}")


def _refuse(change: outbox_service.Change, done: str, allowed: str) -> None:
    if not change.refused:
        return
    reasons = ", ".join(f"#{i} {'does not exist' if status is None else f'is {status}'}"
                        for i, status in change.refused.items())
    raise UsageError(f"not {done}: {reasons} (only {allowed} messages can be)")


def _ids(ids: list[int]) -> str:
    return " ".join(f"#{i}" for i in ids)


def cmd_stats(config: Config, _args: argparse.Namespace) -> int:
    """Print how many messages each channel has in each status."""
    async def go() -> dict[str, dict[str, int]]:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            return await outbox_service.count_by_channel(session)

    counts = asyncio.run(go())
    if not counts:
        print("the outbox is empty")
        return 0
    statuses = [s.value for s in OutboxStatus]
    width = max(len("channel"), *map(len, counts))
    print("channel".ljust(width) + "".join(f"  {s:>9}" for s in statuses))
    for channel, row in counts.items():
        print(channel.ljust(width) + "".join(f"  {row[s]:>9}" for s in statuses))
    uncertain = sum(row[OutboxStatus.UNCERTAIN] for row in counts.values())
    if uncertain:
        print(f"{uncertain} uncertain: see `sangkien outbox list`, then resend or dismiss them")
    print("(a running bot's /healthz shows the same counts for all channels together)")
    return 0

"""`sangkien updates failed|replay`: updates a bug stopped (the person got an apology), for operators.

Never prints a phone number: texts and errors are masked like the logs.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.context import UsageError, open_app
from bot.config import Config
from bot.logs import Redactor
from handlers.errors import Unavailable
from handlers.services import failed_updates
from handlers.services.transactions import unit_of_work

PREVIEW = 60

REPLAY_HELP = """\
Handle failed updates again, once the bug that stopped them is fixed (deploy the fix first). Each
is handled under a new id (replay:<ID>:…), so its claim and replies are new; the replies are
queued and the running bot sends them. A replay that fails again sends no second apology: it is
only reported here. Unknown ids are refused (exit 2); the others are still replayed."""


def register(sub: Any) -> None:
    """Add `updates failed` and `updates replay`."""
    updates = sub.add_parser("updates", help="updates a bug stopped: list them, replay them")
    actions = updates.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("failed", help="failed updates not replayed yet, oldest first")
    listing.add_argument("--limit", type=_positive, default=50, help="at most N (default 50)")
    listing.add_argument("--all", action="store_true", help="replayed ones too")
    listing.set_defaults(func=cmd_failed)
    replay = actions.add_parser("replay", help="handle failed updates again (after a fix)",
                                description=REPLAY_HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    replay.add_argument("ids", nargs="+", type=_positive, metavar="ID")
    replay.set_defaults(func=cmd_replay)


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def cmd_failed(config: Config, args: argparse.Namespace) -> int:
    """Print one line per failed update."""
    async def go() -> list[failed_updates.Failed]:
        async with open_app(config) as app, unit_of_work(app.sessions) as session:
            return await failed_updates.list_failed(session, limit=args.limit,
                                                    replayed=args.all)

    found = asyncio.run(go())
    if not found:
        print("no failed updates" + ("" if args.all else " waiting for a replay"))
        return 0
    print(f"{len(found)} failed update{'s' * (len(found) != 1)}, oldest first; times in "
          f"{config.programme.timezone}:")
    redactor = Redactor()
    for failed in found:
        print(_line(failed, config, redactor))
    return 0


def _line(failed: failed_updates.Failed, config: Config, redactor: Redactor) -> str:
    at = failed.failed_at.astimezone(config.programme.tz).strftime("%Y-%m-%d %H:%M:%S")
    replayed = failed.replay_result or "no"
    error = _flat(failed.error.strip().splitlines()[-1] if failed.error.strip() else "", redactor)
    return redactor.redact(
        f"#{failed.id} {at} {failed.channel} chat={failed.chat_id} update={failed.update_id} "
        f"kind={failed.inbound.kind.value} replayed={replayed} error=\"{error}\" "
        f"text=\"{_flat(failed.inbound.text, redactor)}\"")


def _flat(text: str, redactor: Redactor) -> str:
    flat = redactor.redact(" ".join(text.split())).replace('"', "'")
    return flat if len(flat) <= PREVIEW else flat[:PREVIEW - 1].rstrip() + "…"


def cmd_replay(config: Config, args: argparse.Namespace) -> int:
    """Handle the failed updates again and say how each went."""
    async def go() -> list[int]:
        unknown = []
        async with open_app(config) as app:
            for failed_id in dict.fromkeys(args.ids):
                result = await _replay(app, failed_id)
                if result is None:
                    unknown.append(failed_id)
        return unknown

    unknown = asyncio.run(go())
    if unknown:
        raise UsageError("not replayed: " + ", ".join(f"#{i} does not exist" for i in unknown))
    return 0


async def _replay(app: Any, failed_id: int) -> str | None:
    async with unit_of_work(app.sessions) as session:
        failed = await failed_updates.get(session, failed_id)
    if failed is None:
        return None
    inbound = failed_updates.replay_of(failed, int(app.clock.now().timestamp()))
    try:
        handled = await app.router.handle(inbound, apologise=False)
        result = "failed" if handled.failed else "duplicate" if handled.duplicate else "handled"
        queued = len(handled.ids)
    except Unavailable:
        result, queued = "unavailable", 0
    async with unit_of_work(app.sessions) as session:
        await failed_updates.mark_replayed(session, failed_id, result=result,
                                           now=app.clock.now())
    tail = {"handled": f": {queued} repl{'ies' if queued != 1 else 'y'} queued for the running "
                       "bot to send",
            "failed": ": it fails again (see the log); no second apology was sent",
            "unavailable": ": the database did not answer; try again later"}.get(result, "")
    print(f"replayed #{failed_id}: {result}{tail}")
    return result

"""Benchmark: a broadcast to 10,000 private chats and 50 groups through a fake that enforces
Telegram's flood limits (issue 4).

The fake Bot API runs in its own process and answers 429 (with retry_after) to any message over
the overall rate, over 1 a second in a chat or over 20 a minute in a group (with a small burst
tolerance, as Telegram's FAQ describes). The outbox sender, the real python-telegram-bot and the
Telegram channel run here, paced with the same nominal limits. Some private chats get several
messages and every group gets several, so all three limits are exercised. The overall rate is a
parameter so a run ends in under two minutes; the figure is the achieved rate against it.
Then the same run with 10% of sends answered 502: everything must still arrive exactly once.

With `--workers N` (PostgreSQL) N outbox senders, each with its own engine and pool, its own
python-telegram-bot and channel, send the same broadcast under the one bot token: together they
must keep to the token's limit (issue 16, item 8). `--pacing memory` paces each worker alone, as
before the shared lanes, for the comparison.

    python bench/broadcast.py [--rate 150] [--private 10000] [--groups 50] [--db sqlite|postgresql]
                              [--workers N] [--pacing shared|memory]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession, web  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.pgdb import fresh_database  # noqa: E402
from bot.app import App  # noqa: E402
from bot.channels.telegram.outbound import TelegramChannel  # noqa: E402
from bot.channels.telegram.platform import build_application  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from handlers.pacing import MemoryPacing  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import counts as db_counts  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import OutboxMessage, Priority  # noqa: E402
from tests.fakes.telegram_api import TOKEN, FakeTelegram  # noqa: E402
from tests.fakes.telegram_rules import FloodLimits  # noqa: E402

FIRST_PRIVATE, FIRST_GROUP = 700_000, -1_009_000_000_000
BUSY_CHATS, BUSY_MESSAGES, GROUP_MESSAGES = 200, 4, 6


@dataclass
class Outcome:
    label: str
    queued: int
    sent_rows: int
    seconds: float
    stats: dict[str, Any]
    statements: int = 0

    @property
    def rate(self) -> float:
        return self.stats["received"] / self.stats["span"] if self.stats["span"] else 0.0


# -- the fake, in its own process ------------------------------------------------------------

def serve_fake(port_file: Path, rate: float, private: int, groups: int, error_rate: float) -> None:
    """Run the flood-limited fake until killed; write its port to `port_file`."""
    async def main() -> None:
        fake = FakeTelegram(flood=FloodLimits(overall_per_second=rate,
                                              overall_burst=max(1, int(rate))), seed=7)
        for n in range(private):
            fake.add_chat(FIRST_PRIVATE + n)
        for n in range(groups):
            fake.add_chat(FIRST_GROUP - n, kind="supergroup")
        fake.error_rate = error_rate

        async def stats(_request: web.Request) -> web.Response:
            texts = Counter(m.html for m in fake.sent)
            times = [t for name, _, t in fake.calls if name == "sendmessage"]
            span = (times[-1] - times[0]) if len(times) > 1 else 0.0
            return web.json_response({
                "received": len(fake.sent), "unique": len(texts),
                "duplicates": sum(n - 1 for n in texts.values() if n > 1),
                "429": fake.errors.get(429, 0), "502": fake.errors.get(502, 0),
                "refused_by_flood_control": fake.flood.refused if fake.flood else 0,
                "span": span,
                "per_second": sorted(Counter(int(t - times[0]) for t in times[:-1]).values())})

        await fake.start(routes=lambda server: server.router.add_get("/_stats", stats))
        await asyncio.to_thread(port_file.write_text, str(fake.port))
        await asyncio.Event().wait()

    asyncio.run(main())


def start_fake(work: Path, args: argparse.Namespace,
               error_rate: float) -> tuple[subprocess.Popen[bytes], str]:
    port_file = work / f"port-{uuid.uuid4().hex[:6]}"
    proc = subprocess.Popen([sys.executable, __file__, "--serve-fake", str(port_file),
                             str(args.rate), str(args.private), str(args.groups), str(error_rate)],
                            cwd=ROOT)
    deadline = time.monotonic() + 60
    while not port_file.exists() or not port_file.read_text():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("the fake Bot API did not start")
        time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port_file.read_text()}"


# -- the sender, here ------------------------------------------------------------------------

def bench_config(url: str, base: str, rate: float) -> Config:
    return load_config(env={
        "SANGKIEN__DATABASE__URL": url, "SANGKIEN__TELEGRAM__TOKEN": TOKEN,
        "SANGKIEN__TELEGRAM__BASE_URL": f"{base}/bot",
        "SANGKIEN__TELEGRAM__PACING__OVERALL_PER_SECOND": str(rate),
        # The default burst (5 at 30/s) is a sixth of a second of sending; keep that share.
        "SANGKIEN__TELEGRAM__PACING__OVERALL_BURST": str(max(5, round(rate / 6))),
        "SANGKIEN__OUTBOX__DRAIN_INTERVAL_SECONDS": "0.2",
        "SANGKIEN__OUTBOX__BACKOFF_BASE_SECONDS": "0.5"})


async def queue_broadcast(app: App, args: argparse.Namespace) -> int:
    """Queue the broadcast as a job would: one outbox row per message, keyed, in one go.

    Chats that get several messages get them in rounds, a second's worth of other chats apart,
    so the queue's order already spreads them (a chat's later message is never first in line
    while thousands of others wait behind it).
    """
    now = app.clock.now()
    singles = (_row(FIRST_PRIVATE + n, f"dm{n}-0", now, group=False)
               for n in range(BUSY_CHATS, args.private))
    rows: list[dict[str, Any]] = []
    for k in range(max(BUSY_MESSAGES, GROUP_MESSAGES)):
        rows.extend(_row(FIRST_GROUP - n, f"g{n}-{k}", now, group=True)
                    for n in range(args.groups) if k < GROUP_MESSAGES)
        rows.extend(_row(FIRST_PRIVATE + n, f"dm{n}-{k}", now, group=False)
                    for n in range(min(BUSY_CHATS, args.private)) if k < BUSY_MESSAGES)
        rows.extend(row for _, row in zip(range(int(args.rate)), singles, strict=False))
    rows.extend(singles)
    async with unit_of_work(app.sessions) as session:
        for start in range(0, len(rows), 2000):
            await session.execute(insert(OutboxMessage), rows[start:start + 2000])
    return len(rows)


def _row(chat_id: int, key: str, now: datetime, *, group: bool) -> dict[str, Any]:
    return {"channel": "telegram", "chat_id": str(chat_id), "is_group": group,
            "text": f"Nhắc đoàn viên gửi sáng kiến trước ngày 31/12 [{key}]", "choices": [],
            "dedup_key": f"bench:{key}", "priority": Priority.OUTREACH, "not_before": now,
            "created_at": now, "status": "pending", "attempts": 0}


async def sent_count(app: App) -> dict[str, int]:
    async with app.sessions() as session:
        rows = await session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                                     .group_by(OutboxMessage.status))
        return dict(rows.all())


async def run_once(label: str, url: str, work: Path, args: argparse.Namespace,
                   error_rate: float) -> Outcome:
    await asyncio.to_thread(migrate.upgrade, url)
    proc, base = start_fake(work, args, error_rate)
    config = bench_config(url, base, args.rate)
    apps = [App.create(config, worker_id=f"bench-{k}") for k in range(args.workers)]
    applications = [build_application(config.telegram) for _ in apps]
    try:
        for app, application in zip(apps, applications, strict=True):
            await application.initialize()
            app.add_channel(TelegramChannel(application.bot, pacing=config.telegram.pacing))
            if args.pacing == "memory":
                app.sender.pacer = MemoryPacing()  # each worker paced alone (before item 8)
        queued = await queue_broadcast(apps[0], args)
        statements = sum(db_counts(app.engine).statements for app in apps)
        seconds = await send_all(apps, queued, args)
        statements = sum(db_counts(app.engine).statements for app in apps) - statements
        counts = await sent_count(apps[0])
        async with ClientSession() as http, http.get(f"{base}/_stats") as response:
            stats = json.loads(await response.text())
    finally:
        for app, application in zip(apps, applications, strict=True):
            await application.shutdown()
            await app.close()
        proc.kill()
        proc.wait()
    return Outcome(label, queued, counts.get("sent", 0), seconds, stats, statements)


async def send_all(apps: list[App], queued: int, args: argparse.Namespace) -> float:
    """Run every worker's sender until all rows are sent or failed; return the seconds taken."""
    stop = asyncio.Event()
    started = time.perf_counter()
    senders = [asyncio.create_task(app.sender.run(stop)) for app in apps]
    while True:
        done = await sent_count(apps[0])
        if done.get("sent", 0) + done.get("failed", 0) >= queued:
            break
        if time.perf_counter() - started > args.max_seconds:
            break
        await asyncio.sleep(0.5)
    seconds = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*senders)
    return seconds


async def main(args: argparse.Namespace) -> int:
    print(f"# broadcast: {args.private} private chats ({BUSY_CHATS} get {BUSY_MESSAGES} messages) "
          f"+ {args.groups} groups × {GROUP_MESSAGES}; overall limit {args.rate}/s, 1/s per chat, "
          f"20/min per group; {args.db}, {args.workers} worker(s), {args.pacing} pacing; "
          f"{platform.machine()}, {psutil.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")
    print(f"{'run':<14}{'queued':>8}{'sent':>7}{'wall s':>8}{'rate/s':>8}{'of limit':>9}"
          f"{'median/s':>9}{'429s':>6}{'502s':>6}{'dupes':>7}{'lost':>6}{'stmt/msg':>9}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label, error_rate in (("clean", 0.0), ("10% 5xx", 0.10)):
            async with fresh_database(args.db, work) as url:
                outcome = await run_once(label, url, work, args, error_rate)
            ok &= report(outcome, args.rate, check_rate=error_rate == 0,
                         burst=bench_config("", "", args.rate).telegram.pacing.overall_burst)
    return 0 if ok else 1


def report(o: Outcome, limit: float, *, check_rate: bool, burst: int) -> bool:
    lost = o.queued - o.stats["unique"]
    share = o.rate / limit
    # The limit allows `burst` messages at once on top of the rate: without them, the rate must
    # not pass the limit.
    steady = (o.stats["received"] - burst) / o.stats["span"] / limit if o.stats["span"] else 0.0
    per_message = o.statements / o.sent_rows if o.sent_rows else 0.0
    seconds = o.stats["per_second"]
    median = seconds[len(seconds) // 2] if seconds else 0
    print(f"{o.label:<14}{o.queued:>8}{o.sent_rows:>7}{o.seconds:>8.1f}{o.rate:>8.1f}"
          f"{share:>9.1%}{median:>9}{o.stats['429']:>6}{o.stats['502']:>6}"
          f"{o.stats['duplicates']:>7}{lost:>6}{per_message:>9.1f}")
    if check_rate:
        print(f"  without the first burst of {burst}: {steady:.1%} of the limit (goal 95–100%)")
    good = (o.stats["429"] == 0 and o.stats["duplicates"] == 0 and lost == 0
            and o.sent_rows == o.queued
            and (not check_rate or (share >= 0.95 and steady <= 1.0)))
    if not good:
        print(f"  GOAL MISSED in run '{o.label}'")
    return good


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-fake":
        serve_fake(Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
                   float(sys.argv[6]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=150.0, help="overall limit, messages/s")
    parser.add_argument("--private", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--workers", type=int, default=1, help="outbox senders (PostgreSQL)")
    parser.add_argument("--pacing", choices=["shared", "memory"], default="shared",
                        help="memory: each worker paced alone, as before issue 16 item 8")
    os.environ.pop("SANGKIEN_CONFIG", None)
    parsed = parser.parse_args()
    if parsed.workers > 1 and parsed.db != "postgresql":
        parser.error("--workers needs --db postgresql (SQLite runs one worker)")
    sys.exit(asyncio.run(main(parsed)))

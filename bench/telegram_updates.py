"""Benchmark: members run the registration dialog over Telegram, ours beside two PTB bots (issues 4, 14).

The bot is the real `sangkien run` in its own process, polling a fake Bot API through the real
python-telegram-bot; every update is committed before it is confirmed. Two baselines run in the
same round on the same fake with the same load: a plain python-telegram-bot echo bot
(Application.run_polling with one MessageHandler) and the idiomatic PTB bot running the same
six-step dialog (bench/ptb_dialog_bot.py: ConversationHandler + PicklePersistence, saved every
60 s). Every member sends the next message only after the reply to the previous one arrived;
`--members` of them at once, each running `--dialogs` whole dialogs. CPU is the bot process's
user+system time; latency is from a message sent to its reply received.

By default (`--cores shared`) every process may run on every CPU. `--cores split` gives every
bot, ours and PTB's in turn, the first CPU to itself and puts everything else (this script's fake
Bot API and members, and the local PostgreSQL server's processes) on the others, as a deployment
whose database does not share the bot's core.

    python bench/telegram_updates.py [--members 20] [--dialogs 10] [--repeat 3] [--db sqlite|postgresql|both]
                                     [--cores split|shared]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cpus import bots_on_own_core, postgres_cpu  # noqa: E402
from bench.pgdb import fresh_database  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import load_config  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import Identity, Initiative, Member, ProcessedUpdate  # noqa: E402
from tests.factories import build_federation  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.telegram_people import TgUser  # noqa: E402

ANSWERS = ["/sangkien", "Cải tiến quy trình nhập kho bằng mã QR", "4",
           "Dán mã QR lên từng kệ và quét bằng điện thoại khi nhập, xuất kho.",
           "Giảm một nửa thời gian kiểm kê hằng tháng.", "200 triệu", "1"]
FIRST_USER = 500_000
DB_COUNTERS = ("sangkien_db_statements_total", "sangkien_db_commits_total")
"""Counters the bot exposes on /metrics (when it has them): statements and commits."""


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    cpu: float
    latencies: list[float] = field(default_factory=list)
    counters: dict[str, float] = field(default_factory=dict)
    server_cpu: float | None = None
    """The PostgreSQL server's CPU over the run (its backends' user + system time), if any."""
    load_cpu: float = 0.0
    """This script's own CPU over the run: the fake Bot API and the members typing."""

    @property
    def per_update_ms(self) -> float:
        return 1000 * self.cpu / self.updates

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.latencies)

    def per_update(self, counter: str) -> float | None:
        value = self.counters.get(counter)
        return None if value is None else value / self.updates


async def prepare_database(url: str, members: int) -> None:
    """Migrate, build the test federation and link N members to Telegram accounts."""
    await asyncio.to_thread(migrate.upgrade, url)
    app = App.create(load_config(env={"SANGKIEN__DATABASE__URL": url}))
    try:
        fed = await build_federation(app, today=datetime.now(UTC).date())
        async with unit_of_work(app.sessions) as session:
            people = [Member(unit_id=fed.units["DN01"].id, name=f"Thành viên {i}",
                             phone=f"098{i:07d}") for i in range(members)]
            session.add_all(people)
            await session.flush()
            session.add_all([Identity(channel="telegram", user_id=str(FIRST_USER + i),
                                      member_id=m.id, verified=True)
                             for i, m in enumerate(people)])
    finally:
        await app.close()


async def durable_counts(url: str) -> tuple[int, int]:
    app = App.create(load_config(env={"SANGKIEN__DATABASE__URL": url}))
    try:
        async with app.sessions() as session:
            from sqlalchemy import func, select

            updates = (await session.execute(select(func.count(ProcessedUpdate.id)))).scalar_one()
            initiatives = (await session.execute(select(func.count(Initiative.id)))).scalar_one()
            return updates, initiatives
    finally:
        await app.close()


async def drive(fake: FakeTelegram, members: int, dialogs: int, latencies: list[float]) -> None:
    """Every member types the answers in turn, each after the reply to the previous one."""
    async def one(index: int) -> None:
        user = TgUser(fake, FIRST_USER + index, f"TV{index}")
        for _ in range(dialogs):
            for text in ANSWERS:
                sent = time.perf_counter()
                await user.says(text)
                await fake.next_message(user.chat, wait=120)
                latencies.append(time.perf_counter() - sent)

    await asyncio.gather(*(one(i) for i in range(members)))


async def measure(name: str, fake: FakeTelegram, proc: subprocess.Popen[bytes],
                  run: Callable[[list[float]], Awaitable[None]], updates: int,
                  metrics_url: str | None = None, server: bool = False) -> Result:
    """Wait for the bot to poll, then time the run and read the bot process's CPU."""
    while not fake.calls_of("getUpdates"):
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    process = psutil.Process(proc.pid)
    counted = await asyncio.to_thread(scrape, metrics_url)
    server_before = postgres_cpu() if server else {}
    here = psutil.Process()
    before, load_before, started = process.cpu_times(), here.cpu_times(), time.perf_counter()
    latencies: list[float] = []
    await run(latencies)
    seconds, after, load_after = time.perf_counter() - started, process.cpu_times(), here.cpu_times()
    cpu = (after.user - before.user) + (after.system - before.system)
    load_cpu = (load_after.user - load_before.user) + (load_after.system - load_before.system)
    server_cpu = None
    if server:
        server_cpu = sum(spent - server_before.get(pid, 0.0)
                         for pid, spent in postgres_cpu().items())
    counters = {}
    if counted:
        now = await asyncio.to_thread(scrape, metrics_url)
        counters = {k: now[k] - counted[k] for k in counted}
    return Result(name, updates, seconds, cpu, latencies, counters, server_cpu, load_cpu)


def scrape(url: str | None) -> dict[str, float]:
    """Read the database counters from the bot's /metrics (empty when it has none)."""
    if url is None:
        return {}
    with urllib.request.urlopen(url, timeout=10) as answer:
        text = answer.read().decode()
    found = {}
    for counter in DB_COUNTERS:
        values = [float(v) for v in re.findall(rf"^{counter}(?:{{[^}}]*}})? (\S+)$", text, re.M)]
        if values:
            found[counter] = sum(values)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


BOT_CPUS: set[int] | None = None
"""The CPUs the bots run on (`--cores split`), or None: anywhere."""


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    cpus = BOT_CPUS
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT,
                                preexec_fn=None if cpus is None else
                                lambda: os.sched_setaffinity(0, cpus))


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


async def run_ours(url: str, members: int, dialogs: int, workdir: Path
                   ) -> tuple[Result, tuple[int, int]]:
    await prepare_database(url, members)
    fake = await FakeTelegram().start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")} | {
        "SANGKIEN__DATABASE__URL": url, "SANGKIEN__TELEGRAM__TOKEN": fake.token,
        "SANGKIEN__TELEGRAM__BASE_URL": fake.base_url, "SANGKIEN__WEB__PORT": str(port),
        "SANGKIEN__TELEGRAM__POLL_TIMEOUT": "10",
        # Pacing is a wait, not work: the bench measures CPU and throughput without it.
        "SANGKIEN__TELEGRAM__PACING__PER_CHAT_PER_SECOND": "1000",
        "SANGKIEN__TELEGRAM__PACING__OVERALL_PER_SECOND": "10000",
        # Scheduled jobs would add their own work to the figure.
        "SANGKIEN__SCHEDULES__ENABLED": "false",
        "PYTHONPATH": str(ROOT)}
    proc = start(["-m", "bot", "run"], env, workdir / "bot.log")
    try:
        result = await measure("sangkien-bot", fake, proc,
                               lambda lat: drive(fake, members, dialogs, lat),
                               members * dialogs * len(ANSWERS),
                               metrics_url=f"http://127.0.0.1:{port}/metrics",
                               server=url.startswith("postgresql"))
    finally:
        await asyncio.to_thread(stop, proc)
        await fake.close()
    return result, await durable_counts(url)


async def run_ptb(name: str, args: list[str], members: int, dialogs: int, workdir: Path) -> Result:
    fake = await FakeTelegram().start()
    env = dict(os.environ) | {"ECHO_TOKEN": fake.token, "ECHO_BASE_URL": fake.base_url}
    proc = start(args, env, workdir / f"{name.replace(' ', '-')}.log")
    try:
        return await measure(name, fake, proc, lambda lat: drive(fake, members, dialogs, lat),
                             members * dialogs * len(ANSWERS))
    finally:
        await asyncio.to_thread(stop, proc)
        await fake.close()


def echo_bot() -> None:
    """A plain python-telegram-bot echo bot: the floor for handling an update and replying."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            await update.message.reply_text(update.message.text)

    app = (Application.builder().token(os.environ["ECHO_TOKEN"])
           .base_url(os.environ["ECHO_BASE_URL"]).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(timeout=int(os.environ.get("ECHO_POLL_TIMEOUT", "10")),
                    allowed_updates=["message"])


async def one_round(members: int, dialogs: int, databases: list[str], work: Path
                    ) -> dict[str, Result]:
    results = {"echo": await run_ptb("PTB echo bot", [str(Path(__file__)), "--echo-bot"],
                                     members, dialogs, work)}
    results["dialog"] = await run_ptb(
        "PTB dialog bot", [str(ROOT / "bench" / "ptb_dialog_bot.py"),
                           str(work / f"ptb-{time.time_ns()}.pickle")], members, dialogs, work)
    for db in databases:
        async with fresh_database(db, work) as url:
            ours, (stored, initiatives) = await run_ours(url, members, dialogs, work)
        ours.name = f"sangkien-bot ({db})"
        if stored != ours.updates or initiatives != members * dialogs:
            raise SystemExit(f"{ours.name}: NOT EVERY UPDATE WAS COMMITTED "
                             f"({stored} updates, {initiatives} initiatives)")
        results[db] = ours
    return results


def row(result: Result, echo: Result, dialog: Result) -> str:
    line = (f"{result.name:<26}{result.updates:>8}{result.seconds:>9.1f}{result.rate:>11.0f}"
            f"{result.p50_ms:>9.0f}{result.per_update_ms:>10.2f}"
            f"{result.per_update_ms / echo.per_update_ms:>8.2f}"
            f"{result.per_update_ms / dialog.per_update_ms:>9.2f}{result.rate / dialog.rate:>9.2f}")
    line += f"   load {1000 * result.load_cpu / result.updates:.2f} ms"
    statements, commits = (result.per_update(c) for c in DB_COUNTERS)
    if statements is not None and commits is not None:
        line += f"; {statements:.2f} statements, {commits:.2f} commits per update"
    if result.server_cpu is not None:
        line += f"; PostgreSQL server {1000 * result.server_cpu / result.updates:.2f} ms CPU"
    return line


def median_result(results: list[Result]) -> Result:
    """The round of median CPU per update (its other figures come with it)."""
    ordered = sorted(results, key=lambda r: r.per_update_ms)
    return ordered[len(ordered) // 2]


async def main(members: int, dialogs: int, repeat: int, databases: list[str],
               cores: str = "shared") -> int:
    global BOT_CPUS
    with contextlib.ExitStack() as placed:
        BOT_CPUS = placed.enter_context(bots_on_own_core()) if cores == "split" else None
        where = (f"bots on CPU {sorted(BOT_CPUS)}, the rest on the others" if BOT_CPUS
                 else "every process on every CPU")
        print(f"# {members} members at once x {dialogs} dialogs x {len(ANSWERS)} updates; "
              f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} CPUs "
              f"({where}), Python {platform.python_version()}, "
              f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}")
        return await rounds_of(members, dialogs, repeat, databases)


async def rounds_of(members: int, dialogs: int, repeat: int, databases: list[str]) -> int:
    header = (f"{'bot':<26}{'updates':>8}{'seconds':>9}{'updates/s':>11}{'p50 ms':>9}"
              f"{'CPU ms/u':>10}{'x echo':>8}{'x dialog':>9}{'rate x':>9}")
    rounds: list[dict[str, Result]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(repeat):
            results = await one_round(members, dialogs, databases, Path(tmp))
            rounds.append(results)
            print(f"round {n + 1}")
            print(header)
            for result in results.values():
                print(row(result, results["echo"], results["dialog"]))
    if repeat > 1:
        print(f"median of {repeat} rounds (CPU per update; the ratios are of the medians)")
        print(header)
        medians = {key: median_result([r[key] for r in rounds]) for key in rounds[0]}
        for result in medians.values():
            print(row(result, medians["echo"], medians["dialog"]))
        print("each round's own ratios, and their median (the goals: CPU <= 1.5x dialog, "
              "<= 2x echo; rate >= 0.8x dialog)")
        for key in databases:
            print(round_ratios(key, rounds))
    return 0


def round_ratios(key: str, rounds: list[dict[str, Result]]) -> str:
    """One of our bots' ratios to the PTB bots of the same round, round by round, with medians."""
    figures = {
        "CPU x dialog": [r[key].per_update_ms / r["dialog"].per_update_ms for r in rounds],
        "CPU x echo": [r[key].per_update_ms / r["echo"].per_update_ms for r in rounds],
        "rate x dialog": [r[key].rate / r["dialog"].rate for r in rounds]}
    return f"{rounds[0][key].name:<26}" + "; ".join(
        f"{name} {', '.join(f'{v:.2f}' for v in values)} (median {statistics.median(values):.2f})"
        for name, values in figures.items())


if __name__ == "__main__":
    if "--echo-bot" in sys.argv:
        echo_bot()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--dialogs", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cores", choices=["shared", "split"], default="shared",
                        help="bots on a CPU of their own (split) or everything everywhere")
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.members, options.dialogs, options.repeat,
                              ["sqlite", "postgresql"] if options.db == "both" else [options.db],
                              options.cores)))

"""Benchmark: N members run the whole registration dialog over Telegram (issue 4).

The bot is the real `sangkien run` in its own process, polling a fake Bot API through the real
python-telegram-bot; every update is committed before it is confirmed. The baseline, measured in
the same run on the same fake, is a plain python-telegram-bot echo bot (Application.run_polling
with one MessageHandler). Both get the same stream: each member sends the next message only after
the reply to the previous one arrived. CPU is the bot process's user+system time.

    python bench/telegram_updates.py [--members 200] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    cpu: float

    @property
    def per_update_ms(self) -> float:
        return 1000 * self.cpu / self.updates

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


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


async def drive(fake: FakeTelegram, members: int, answers: list[str]) -> None:
    """Every member types the answers in turn, each after the reply to the previous one."""
    async def one(index: int) -> None:
        user = TgUser(fake, FIRST_USER + index, f"TV{index}")
        for text in answers:
            await user.says(text)
            await fake.next_message(user.chat, wait=120)

    await asyncio.gather(*(one(i) for i in range(members)))


async def measure(name: str, fake: FakeTelegram, proc: subprocess.Popen[bytes],
                  run: Callable[[], Awaitable[None]], updates: int) -> Result:
    """Wait for the bot to poll, then time the run and read the bot process's CPU."""
    while not fake.calls_of("getUpdates"):
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    process = psutil.Process(proc.pid)
    before, started = process.cpu_times(), time.perf_counter()
    await run()
    seconds, after = time.perf_counter() - started, process.cpu_times()
    cpu = (after.user - before.user) + (after.system - before.system)
    return Result(name, updates, seconds, cpu)


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


async def run_ours(url: str, members: int, workdir: Path) -> tuple[Result, tuple[int, int]]:
    await prepare_database(url, members)
    fake = await FakeTelegram().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")} | {
        "SANGKIEN__DATABASE__URL": url, "SANGKIEN__TELEGRAM__TOKEN": fake.token,
        "SANGKIEN__TELEGRAM__BASE_URL": fake.base_url, "SANGKIEN__WEB__PORT": "0",
        "SANGKIEN__TELEGRAM__POLL_TIMEOUT": "10",
        # Pacing is a wait, not work: the bench measures CPU and throughput without it.
        "SANGKIEN__TELEGRAM__PACING__PER_CHAT_PER_SECOND": "1000",
        "SANGKIEN__TELEGRAM__PACING__OVERALL_PER_SECOND": "10000",
        "PYTHONPATH": str(ROOT)}
    proc = start(["-m", "bot", "run"], env, workdir / "bot.log")
    try:
        result = await measure("sangkien-bot", fake, proc, lambda: drive(fake, members, ANSWERS),
                               members * len(ANSWERS))
    finally:
        await asyncio.to_thread(stop, proc)
        await fake.close()
    return result, await durable_counts(url)


async def run_echo(members: int, workdir: Path) -> Result:
    fake = await FakeTelegram().start()
    env = dict(os.environ) | {"ECHO_TOKEN": fake.token, "ECHO_BASE_URL": fake.base_url}
    proc = start([str(Path(__file__)), "--echo-bot"], env, workdir / "echo.log")
    try:
        return await measure("PTB echo bot", fake, proc, lambda: drive(fake, members, ANSWERS),
                             members * len(ANSWERS))
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
    app.run_polling(timeout=10, allowed_updates=["message"])


async def main(members: int, databases: list[str]) -> int:
    print(f"# {members} members × {len(ANSWERS)} updates; {platform.processor() or platform.machine()}"
          f", {psutil.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{datetime.now(UTC):%Y-%m-%d}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        echo = await run_echo(members, work)
        print(f"{'bot':<24}{'updates':>8}{'seconds':>9}{'updates/s':>11}{'CPU ms/update':>15}"
              f"{'ratio':>7}")
        print(row(echo, echo))
        for db in databases:
            async with fresh_database(db, work) as url:
                ours, (stored, initiatives) = await run_ours(url, members, work)
            ours.name = f"sangkien-bot ({db})"
            print(row(ours, echo) + f"   committed: {stored} updates, {initiatives} initiatives")
            if stored != ours.updates or initiatives != members:
                print("  NOT EVERY UPDATE WAS COMMITTED")
                return 1
    return 0


def row(result: Result, baseline: Result) -> str:
    return (f"{result.name:<24}{result.updates:>8}{result.seconds:>9.1f}{result.rate:>11.0f}"
            f"{result.per_update_ms:>15.2f}{result.per_update_ms / baseline.per_update_ms:>7.2f}")


if __name__ == "__main__":
    if "--echo-bot" in sys.argv:
        echo_bot()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.members, ["sqlite", "postgresql"] if options.db == "both"
                              else [options.db])))

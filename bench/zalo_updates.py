"""CPU ms per update of the whole registration dialog: the Zalo path against the Telegram path.

Paths, measured in the same run, round after round, on copies of one SQLite database:
  router         the in-process path: app.handle() with the in-memory channel (no HTTP)
  zalo-echo      our Zalo client and the fake Zalo server, echoing each update (no database)
  zalo           the real Zalo platform polling the fake Zalo Bot API: getUpdates → router → sendMessage
  telegram-echo  python-telegram-bot and the fake Telegram Bot API, echoing each update (no database)
  telegram       the real Telegram platform (python-telegram-bot) polling its fake Bot API
Every member's seven messages are queued before the bot starts; the figure is CPU time from the
first update to the last reply. The fake servers (and the people typing) run in a thread of their
own: "whole" is the process's CPU time, "bot" leaves that thread's out. Prints medians and ratios.

    .venv/bin/python bench/zalo_updates.py [--members 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fakethread import FakeThread, Meter, Spent  # noqa: E402
from bot.app import App  # noqa: E402
from bot.channels.memory import MemoryChannel  # noqa: E402
from bot.channels.telegram import create as create_telegram  # noqa: E402
from bot.channels.telegram.platform import build_application  # noqa: E402
from bot.channels.zalo import create as create_zalo  # noqa: E402
from bot.channels.zalo.client import PollTimeout, ZaloClient  # noqa: E402
from bot.config import load_config  # noqa: E402
from handlers.types import ChatRef, Inbound  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import Identity, Member, Role  # noqa: E402
from tests.factories import build_federation  # noqa: E402
from tests.fakes import zalo_events  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.telegram_people import TgUser  # noqa: E402
from tests.fakes.zalo_api import FakeZalo  # noqa: E402

DIALOG = ["/sangkien", "Cải tiến quy trình nhập kho bằng mã QR", "4",
          "Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho.",
          "Giảm một nửa thời gian kiểm kê hằng tháng.", "bỏ qua", "1"]
FIRST_TG_USER = 500_000
UpdatePath = Callable[[str, int, FakeThread], Awaitable[Spent]]


def config(url: str, zalo: FakeZalo | None = None, telegram: FakeTelegram | None = None) -> Any:
    env = {"SANGKIEN__DATABASE__URL": url, "SANGKIEN__WEB__ENABLED": "false",
           "SANGKIEN__LOGGING__LEVEL": "WARNING"}
    if zalo is not None:
        env |= {"SANGKIEN__ZALO__TOKEN": zalo.token, "SANGKIEN__ZALO__BASE_URL": zalo.base_url}
    if telegram is not None:
        env |= {"SANGKIEN__TELEGRAM__TOKEN": telegram.token,
                "SANGKIEN__TELEGRAM__BASE_URL": telegram.base_url,
                "SANGKIEN__TELEGRAM__POLL_TIMEOUT": "10",
                # Pacing is a wait, not work (Zalo has none): the bench measures CPU without it.
                "SANGKIEN__TELEGRAM__PACING__PER_CHAT_PER_SECOND": "1000",
                "SANGKIEN__TELEGRAM__PACING__CHAT_BURST": "100",
                "SANGKIEN__TELEGRAM__PACING__OVERALL_PER_SECOND": "10000",
                "SANGKIEN__TELEGRAM__PACING__OVERALL_BURST": "1000"}
    return load_config(env=env)


async def prepare(template: Path, members: int) -> None:
    """Migrate a database: the federation plus `members` people linked on every channel."""
    url = f"sqlite+aiosqlite:///{template}"
    migrate.upgrade(url)
    app = App.create(config(url))
    fed = await build_federation(app, today=date.today())
    async with unit_of_work(app.sessions) as session:
        for index in range(members):
            member = Member(unit_id=fed.units["DN01"].id, name=f"Người thử {index}", role=Role.MEMBER,
                            phone=f"09100{index:05d}")
            session.add(member)
            await session.flush()
            session.add_all([Identity(channel=channel, user_id=user_id, member_id=member.id,
                                      verified=True)
                             for channel, user_id in (("zalo", user(index)), ("memory", user(index)),
                                                      ("telegram", str(FIRST_TG_USER + index)))])
    await app.close()


def user(index: int) -> str:
    return f"{index:020x}"


async def run_router(url: str, members: int, fakes: FakeThread) -> Spent:
    app = App.create(config(url))
    app.add_channel(MemoryChannel())
    count = 0
    meter = await Meter.start(None)
    for index in range(members):
        for words in DIALOG:
            count += 1
            await app.handle(Inbound(chat=ChatRef("memory", user(index)), user_id=user(index),
                                     update_id=f"b{count}", text=words))
    spent = await meter.stop(count)
    await app.close()
    return spent


async def run_zalo(url: str, members: int, fakes: FakeThread) -> Spent:
    fake = await fakes.run(started_zalo())
    app = App.create(config(url, zalo=fake))
    zalo = create_zalo(app.gateway, app.config.zalo)
    await zalo.start()
    await fakes.run(queue_zalo(fake, members))
    stop = asyncio.Event()
    meter = await Meter.start(fakes)
    task = asyncio.create_task(zalo.run(stop))
    expected = members * len(DIALOG)
    await fakes.run(fake.wait_sent(expected, within=600))
    spent = await meter.stop(expected)
    stop.set()
    await task
    await zalo.close()
    await app.close()
    await fakes.run(fake.close())
    return spent


async def run_zalo_echo(_url: str, members: int, fakes: FakeThread) -> Spent:
    fake = await fakes.run(started_zalo())
    client = ZaloClient(base_url=fake.base_url, token=fake.token)
    await fakes.run(queue_zalo(fake, members, words="xin chào"))
    count = members * len(DIALOG)
    meter = await Meter.start(fakes)
    for _ in range(count):
        try:
            update = await client.get_updates(wait=1)
        except PollTimeout:
            continue
        message = (update or {}).get("message", {})
        await client.send_message(message["chat"]["id"], message.get("text") or "?")
    spent = await meter.stop(count)
    await client.close()
    await fakes.run(fake.close())
    return spent


async def run_telegram(url: str, members: int, fakes: FakeThread) -> Spent:
    fake = await fakes.run(FakeTelegram().start())
    app = App.create(config(url, telegram=fake))
    telegram = create_telegram(app.gateway, app.config.telegram)
    await telegram.start()
    people = [TgUser(fake, FIRST_TG_USER + index, f"TV{index}") for index in range(members)]
    await fakes.run(queue_telegram(people))
    stop = asyncio.Event()
    meter = await Meter.start(fakes)
    task = asyncio.create_task(telegram.run(stop))
    await fakes.run(every_reply(fake, people))
    spent = await meter.stop(members * len(DIALOG))
    stop.set()
    await task
    await telegram.close()
    await app.close()
    await fakes.run(fake.close())
    return spent


async def run_telegram_echo(url: str, members: int, fakes: FakeThread) -> Spent:
    fake = await fakes.run(FakeTelegram().start())
    application = build_application(config(url, telegram=fake).telegram)
    await application.initialize()
    bot = application.bot
    people = [TgUser(fake, FIRST_TG_USER + index, f"TV{index}") for index in range(members)]
    await fakes.run(queue_telegram(people, words="xin chào"))
    count, offset, answered = members * len(DIALOG), None, 0
    meter = await Meter.start(fakes)
    while answered < count:
        for update in await bot.get_updates(offset=offset, timeout=1):
            offset = update.update_id + 1
            assert update.effective_chat is not None and update.message is not None
            await bot.send_message(update.effective_chat.id, update.message.text or "?")
            answered += 1
    spent = await meter.stop(count)
    await application.shutdown()
    await fakes.run(fake.close())
    return spent


async def started_zalo() -> FakeZalo:
    fake = FakeZalo(idle_timeout=0.5)
    await fake.start()
    return fake


async def queue_zalo(fake: FakeZalo, members: int, words: str | None = None) -> None:
    for index in range(members):
        for answer in DIALOG:
            await fake.push(zalo_events.text(user(index), words or answer))


async def queue_telegram(people: list[TgUser], words: str | None = None) -> None:
    for person in people:
        for answer in DIALOG:
            await person.says(words or answer)


async def every_reply(fake: FakeTelegram, people: list[TgUser]) -> None:
    """Wait until every person has one reply per message they sent."""
    for person in people:
        for _ in DIALOG:
            await fake.next_message(person.chat, wait=600)


PATHS: dict[str, UpdatePath] = {
    "router": run_router, "zalo-echo": run_zalo_echo, "zalo": run_zalo,
    "telegram-echo": run_telegram_echo, "telegram": run_telegram,
}


async def measure(members: int, repeat: int) -> dict[str, list[Spent]]:
    work = Path(tempfile.mkdtemp(prefix="bench-updates-"))
    template = work / "template.db"
    await prepare(template, members)
    results: dict[str, list[Spent]] = {name: [] for name in PATHS}
    fakes = FakeThread()
    try:
        for round_no in range(repeat):
            for name, path in PATHS.items():
                db = work / f"{name}-{round_no}.db"
                shutil.copy(template, db)
                results[name].append(await path(f"sqlite+aiosqlite:///{db}", members, fakes))
    finally:
        fakes.close()
        shutil.rmtree(work, ignore_errors=True)
    return results


def report(results: dict[str, list[Spent]], members: int, repeat: int) -> None:
    print(f"{members} members x {len(DIALOG)} updates, {repeat} rounds, SQLite; "
          f"CPU ms per update (median; runs)")
    for view in ("whole", "bot"):
        print(f"  {view}: {'process' if view == 'whole' else 'process minus the fake servers'}")
        medians = {name: statistics.median(getattr(s, view) for s in runs)
                   for name, runs in results.items()}
        for name, runs in results.items():
            values = ", ".join(f"{getattr(s, view):.2f}" for s in runs)
            print(f"    {name:13s} {medians[name]:6.2f}   {values}")
        paired = statistics.median(getattr(z, view) / getattr(t, view)
                                   for z, t in zip(results["zalo"], results["telegram"], strict=True))
        print(f"    zalo / telegram {medians['zalo'] / medians['telegram']:.2f} (goal <= 1.2; "
              f"round by round {paired:.2f})   "
              f"zalo / router {medians['zalo'] / medians['router']:.2f}   "
              f"telegram / router {medians['telegram'] / medians['router']:.2f}")


def machine() -> str:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, load average {load}")


async def main(members: int, repeat: int) -> None:
    print(f"# {machine()}")
    results = await measure(members, repeat)
    report(results, members, repeat)
    print(f"# {machine()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.repeat))

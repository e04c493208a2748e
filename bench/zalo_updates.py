"""CPU ms per update of the whole registration dialog over the fake Zalo Bot API, with baselines.

Paths, measured in the same run on copies of one database (add more to PATHS, e.g. a Telegram
path over its fake Bot API, to compare them here):
  router     the in-process path: app.handle() with the in-memory channel (no HTTP)
  zalo-echo  the same Zalo client and fake server, echoing each update (HTTP only, no database)
  zalo       the real Zalo platform polling the fake server: getUpdates → router → sendMessage
CPU time is the whole process's (the fake server runs in it too). Prints medians and ratios.

    .venv/bin/python bench/zalo_updates.py [--members 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import App  # noqa: E402
from bot.channels.memory import MemoryChannel  # noqa: E402
from bot.channels.zalo import create as create_zalo  # noqa: E402
from bot.channels.zalo.client import PollTimeout, ZaloClient  # noqa: E402
from bot.config import load_config  # noqa: E402
from handlers.types import ChatRef, Inbound  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import Identity, Member, Role  # noqa: E402
from tests.factories import build_federation  # noqa: E402
from tests.fakes import zalo_events  # noqa: E402
from tests.fakes.zalo_api import FakeZalo  # noqa: E402

DIALOG = ["/sangkien", "Cải tiến quy trình nhập kho bằng mã QR", "4",
          "Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho.",
          "Giảm một nửa thời gian kiểm kê hằng tháng.", "bỏ qua", "1"]


def config(url: str, fake: FakeZalo | None = None):
    env = {"SANGKIEN__DATABASE__URL": url, "SANGKIEN__WEB__ENABLED": "false",
           "SANGKIEN__LOGGING__LEVEL": "WARNING"}
    if fake is not None:
        env |= {"SANGKIEN__ZALO__TOKEN": fake.token, "SANGKIEN__ZALO__BASE_URL": fake.base_url}
    return load_config(env=env)


async def prepare(template: Path, members: int) -> None:
    """Migrate a database and add the federation plus `members` people linked on both channels."""
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
            session.add_all([Identity(channel="zalo", user_id=user(index), member_id=member.id,
                                      verified=True),
                             Identity(channel="memory", user_id=user(index), member_id=member.id,
                                      verified=True)])
    await app.close()


def user(index: int) -> str:
    return f"{index:020x}"


async def run_router(url: str, members: int) -> tuple[float, int]:
    app = App.create(config(url))
    app.add_channel(MemoryChannel())
    count = 0
    started = time.process_time()
    for index in range(members):
        for words in DIALOG:
            count += 1
            await app.handle(Inbound(chat=ChatRef("memory", user(index)), user_id=user(index),
                                     update_id=f"b{count}", text=words))
    spent = time.process_time() - started
    await app.close()
    return spent, count


async def run_zalo(url: str, members: int) -> tuple[float, int]:
    fake = FakeZalo(idle_timeout=0.5)
    await fake.start()
    app = App.create(config(url, fake))
    platform = create_zalo(app)
    await platform.start()
    stop = asyncio.Event()
    started = time.process_time()
    task = asyncio.create_task(platform.run(stop))
    for index in range(members):
        for words in DIALOG:
            await fake.push(zalo_events.text(user(index), words))
    expected = members * len(DIALOG)
    await fake.wait_sent(expected, within=600)
    spent = time.process_time() - started
    stop.set()
    await task
    await platform.close()
    await app.close()
    await fake.close()
    return spent, expected


async def run_echo(_url: str, members: int) -> tuple[float, int]:
    fake = FakeZalo(idle_timeout=0.5)
    await fake.start()
    client = ZaloClient(base_url=fake.base_url, token=fake.token)
    count = members * len(DIALOG)
    for index in range(count):
        await fake.push(zalo_events.text(user(index % members), "xin chào"))
    started = time.process_time()
    for _ in range(count):
        try:
            update = await client.get_updates(wait=1)
        except PollTimeout:
            continue
        message = (update or {}).get("message", {})
        await client.send_message(message["chat"]["id"], message.get("text") or "?")
    spent = time.process_time() - started
    await client.close()
    await fake.close()
    return spent, count


PATHS: dict[str, Callable[[str, int], Awaitable[tuple[float, int]]]] = {
    "router": run_router, "zalo-echo": run_echo, "zalo": run_zalo,
}


async def main(members: int, repeat: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-zalo-"))
    template = work / "template.db"
    await prepare(template, members)
    results: dict[str, list[float]] = {name: [] for name in PATHS}
    for round_no in range(repeat):
        for name, path in PATHS.items():
            db = work / f"{name}-{round_no}.db"
            shutil.copy(template, db)
            spent, count = await path(f"sqlite+aiosqlite:///{db}", members)
            results[name].append(spent * 1000 / count)
    shutil.rmtree(work, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in results.items()}
    print(f"{members} members x {len(DIALOG)} updates, {repeat} rounds, SQLite; CPU ms per update:")
    for name, value in medians.items():
        print(f"  {name:10s} median {value:6.2f}  runs {', '.join(f'{v:.2f}' for v in results[name])}")
    print(f"  ratio zalo / router    {medians['zalo'] / medians['router']:.2f}")
    print(f"  ratio zalo / zalo-echo {medians['zalo'] / medians['zalo-echo']:.2f}")
    if "telegram" in medians:
        print(f"  ratio zalo / telegram  {medians['zalo'] / medians['telegram']:.2f}  (goal <= 1.2)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.repeat))

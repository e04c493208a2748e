"""Benchmark: 500 members run the whole registration dialog through the router (issue 3).

Each update is one transaction (claim, state, step, draft, reply queued, commit). Measured against
the floor: one durable transaction that inserts one row and commits, on the same engine.

    python bench/dialog.py [--members 500] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pgdb import scratch_database  # noqa: E402
from bot.app import App  # noqa: E402
from bot.channels.memory import MemoryChannel  # noqa: E402
from bot.config import load_config  # noqa: E402
from handlers.clock import ManualClock  # noqa: E402
from handlers.types import ChatRef, Inbound  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import counts, unit_of_work  # noqa: E402
from storage.models import Identity, Member, ProcessedUpdate  # noqa: E402
from tests.factories import build_federation  # noqa: E402

ANSWERS = ["/sangkien", "Cải tiến quy trình nhập kho bằng mã QR", "4",
           "Dán mã QR lên từng kệ và quét bằng điện thoại khi nhập, xuất kho.",
           "Giảm một nửa thời gian kiểm kê hằng tháng.", "200 triệu", "1"]


async def make_app(url: str) -> App:
    migrate.upgrade(url)
    config = load_config(env={"SANGKIEN__DATABASE__URL": url})
    app = App.create(config, clock=ManualClock(datetime(2026, 11, 24, 2, tzinfo=UTC)),
                     worker_id="bench")
    app.add_channel(MemoryChannel())
    return app


async def add_members(app: App, count: int) -> list[str]:
    fed = await build_federation(app, today=datetime(2026, 11, 24).date())
    unit_id = fed.units["DN01"].id
    async with unit_of_work(app.sessions) as session:
        members = [Member(unit_id=unit_id, name=f"Thành viên {i}", phone=f"098{i:07d}")
                   for i in range(count)]
        session.add_all(members)
        await session.flush()
        session.add_all(Identity(channel="memory", user_id=f"b{m.id}", member_id=m.id,
                                 verified=True) for m in members)
        return [f"b{m.id}" for m in members]


async def floor(app: App, count: int) -> list[float]:
    """One durable transaction inserting one row and committing, `count` times."""
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        async with unit_of_work(app.sessions) as session:
            session.add(ProcessedUpdate(channel="floor", update_id=uuid.uuid4().hex,
                                        received_at=datetime.now(UTC)))
        timings.append(time.perf_counter() - start)
    return timings


async def dialogs(app: App, users: list[str], step: Callable[[Inbound], Awaitable[object]],
                  concurrency: int) -> tuple[list[float], float]:
    """Run every user's whole dialog; return per-update timings and the wall time."""
    timings: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(user: str) -> None:
        async with gate:
            for n, text in enumerate(ANSWERS):
                inbound = Inbound(ChatRef("memory", user), user, f"{user}-{n}", text=text)
                start = time.perf_counter()
                await step(inbound)
                timings.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    return timings, time.perf_counter() - began


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def run_one(label: str, url: str, members: int) -> dict[str, float]:
    app = await make_app(url)
    try:
        users = await add_members(app, members)
        half = len(users) // 2
        base = await floor(app, 1000)
        sent = counts(app.engine)
        before = (sent.statements, sent.commits)
        routed, wall = await dialogs(app, users[:half], app.router.handle, concurrency=1)
        per_update = [(now - then) / len(routed)
                      for now, then in zip((sent.statements, sent.commits), before, strict=True)]
        full, _ = await dialogs(app, users[half:], app.handle, concurrency=1)
        extra = await add_members_more(app, members)
        conc, conc_wall = await dialogs(app, extra, app.handle, concurrency=20)
        result = {
            "floor_ms": statistics.median(base) * 1000,
            "router_ms": statistics.median(routed) * 1000, "router_p95_ms": p95(routed) * 1000,
            "router_ups": len(routed) / wall,
            "full_ms": statistics.median(full) * 1000, "full_p95_ms": p95(full) * 1000,
            "concurrent_ups": len(conc) / conc_wall,
            "statements": per_update[0], "commits": per_update[1],
        }
        result["ratio"] = result["router_ms"] / result["floor_ms"]
        print(f"{label:10s} floor {result['floor_ms']:.2f} ms | router median "
              f"{result['router_ms']:.2f} ms p95 {result['router_p95_ms']:.2f} ms "
              f"{result['router_ups']:.0f} updates/s | ratio {result['ratio']:.2f}x (goal <= 3x) | "
              f"with delivery {result['full_ms']:.2f} ms p95 {result['full_p95_ms']:.2f} ms | "
              f"20 at once {result['concurrent_ups']:.0f} updates/s | router "
              f"{result['statements']:.2f} statements, {result['commits']:.2f} commits per update")
        return result
    finally:
        await app.close()


async def add_members_more(app: App, count: int) -> list[str]:
    async with unit_of_work(app.sessions) as session:
        unit_id = (await session.get(Member, 1)).unit_id  # type: ignore[union-attr]
        members = [Member(unit_id=unit_id, name=f"Song song {i}", phone=f"097{i:07d}")
                   for i in range(count)]
        session.add_all(members)
        await session.flush()
        session.add_all(Identity(channel="memory", user_id=f"c{m.id}", member_id=m.id,
                                 verified=True) for m in members)
        return [f"c{m.id}" for m in members]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}; "
          f"{args.members} members x {len(ANSWERS)} updates, sequential unless noted")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            await run_one("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db", args.members)
    if args.db in ("postgresql", "both"):
        async with scratch_database("bench_dialog") as url:
            await run_one("postgresql", url, args.members)


if __name__ == "__main__":
    asyncio.run(main())

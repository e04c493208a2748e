"""Benchmark: the duplicate hint after step 1 with 10,000 initiatives in the unit's block (issue 7).

Prints the median and p95 time of `similar_titles` next to the time of fetching the same rows
with one plain query (the floor: the hint cannot be cheaper than reading the titles).

    python bench/duplicates.py [--initiatives 10000] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dialog import make_app  # noqa: E402
from bench.pgdb import scratch_database  # noqa: E402
from handlers.services import duplicates  # noqa: E402
from handlers.textnorm import fold  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import Initiative, Unit  # noqa: E402
from tests.factories import build_federation  # noqa: E402

WORDS = tuple(" ".join([
    "cải tiến tối ưu số hoá chuẩn hoá sắp xếp quy trình kho vật tư ca làm việc hồ sơ máy",
    "dây chuyền chấm công bếp ăn lịch trực giáo án bệnh nhân tiếp nhận một cửa mã QR bảng",
    "tính nhóm Zalo đồ gá 5S an toàn điện nước tiết kiệm"]).split())


def title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 10))).capitalize()


async def fill(app, fed, count: int) -> None:
    rng = random.Random(7)
    units = [fed.units["DN01"].id, fed.units["DN02"].id]
    author = fed.members["0900000003"].id
    now = datetime(2026, 11, 20, tzinfo=UTC)
    rows = []
    for i in range(count):
        text = title(rng)
        rows.append({"number": f"SK-{i + 1:07d}", "title": text, "title_folded": fold(text),
                     "field": "Kỹ thuật", "content": "x" * 40, "effect": "y" * 20,
                     "status": "submitted", "member_id": author, "unit_id": units[i % 2],
                     "phase_id": fed.phase.id, "tech_secret": False, "created_at": now,
                     "updated_at": now})
    async with unit_of_work(app.sessions) as session:
        await session.execute(insert(Initiative), rows)


async def measure(label: str, url: str, count: int) -> None:
    app = await make_app(url)
    try:
        fed = await build_federation(app, today=datetime(2026, 11, 24).date())
        await fill(app, fed, count)
        rng = random.Random(11)
        block = fed.units["KDN"]
        hint, floor = [], []
        for _ in range(60):
            typed = title(rng)
            async with app.sessions() as session:
                start = time.perf_counter()
                await duplicates.similar_titles(session, unit_id=fed.units["DN01"].id,
                                                phase_id=fed.phase.id, title=typed)
                hint.append(time.perf_counter() - start)
                start = time.perf_counter()
                stmt = (select(Initiative.number, Initiative.title, Initiative.title_folded)
                        .join(Unit, Unit.id == Initiative.unit_id)
                        .where(Unit.path.startswith(block.path),
                               Initiative.phase_id == fed.phase.id))
                (await session.execute(stmt)).all()
                floor.append(time.perf_counter() - start)
        h, f = statistics.median(hint) * 1000, statistics.median(floor) * 1000
        p95 = statistics.quantiles(hint, n=20)[-1] * 1000
        print(f"{label:10s} {count} initiatives in the block | hint median {h:.1f} ms p95 {p95:.1f} ms "
              f"(goal < 100 ms) | reading the titles alone {f:.1f} ms | ratio {h / f:.2f}x")
    finally:
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            await measure("sqlite", f"sqlite+aiosqlite:///{tmp}/dup.db", args.initiatives)
    if args.db in ("postgresql", "both"):
        async with scratch_database("bench_dup") as url:
            await measure("postgresql", url, args.initiatives)


if __name__ == "__main__":
    asyncio.run(main())

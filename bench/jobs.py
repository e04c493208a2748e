"""Benchmark: `urge_units` + `officer_digest` for a province-sized federation on PostgreSQL.

5,000 unions, 500,000 members, 200,000 initiatives, generated with COPY into a database of our
own (dropped at the end). Prints the seconds to build and queue every message, next to a baseline
measured in the same run: one hand-written SQL query computing the same per-unit counts, plus
inserting the same number of outbox rows. Goal: ratio ≤ 2 and under 30 s.

    .venv/bin/python bench/jobs.py [--units 5000] [--members 500000] [--initiatives 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pgdb import scratch_database
from bot import scheduling
from bot.app import App
from bot.config import load_config
from handlers.clock import ManualClock
from schedules.runner import fire
from storage import migrate
from storage.db import unit_of_work

FIRED = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 08:00 in Hanoi
TODAY = date(2026, 11, 25)
BLOCKS = 20
REPEATS = 5

BASELINE_SQL = """
SELECT u.id, u.code, u.name, coalesce(t.target, 0),
       count(i.id) FILTER (WHERE i.status IN ('submitted', 'approved')),
       count(i.id) FILTER (WHERE i.status IN ('submitted', 'approved')
                           AND i.created_at >= $2 AND i.created_at < $3),
       count(i.id) FILTER (WHERE i.status = 'submitted'),
       coalesce(s.silent, 0)
FROM units u
LEFT JOIN targets t ON t.unit_id = u.id AND t.phase_id = $1
LEFT JOIN initiatives i ON i.unit_id = u.id AND i.phase_id = $1
LEFT JOIN (SELECT m.unit_id, count(*) AS silent FROM members m
           WHERE NOT EXISTS (SELECT 1 FROM initiatives x WHERE x.member_id = m.id AND x.phase_id = $1)
           GROUP BY m.unit_id) s ON s.unit_id = u.id
WHERE u.level = 'grassroots'
GROUP BY u.id, u.code, u.name, t.target, s.silent
"""


def unit_rows(units: int, per_unit: int) -> list[tuple]:
    """A province, its blocks, and the unions spread over the blocks, with explicit ids."""
    rows = [(1, "TINH", "LĐLĐ tỉnh (bench)", "ldld tinh", "province", None, "/1/", 0, FIRED)]
    rows += [(2 + b, f"K{b:02d}", f"Khối {b}", f"khoi {b}", "block", 1, f"/1/{2 + b}/", 0, FIRED)
             for b in range(BLOCKS)]
    first = 2 + BLOCKS
    for n in range(units):
        block = 2 + n % BLOCKS
        rows.append((first + n, f"CS{n:05d}", f"Công đoàn cơ sở số {n}", f"cong doan {n}",
                     "grassroots", block, f"/1/{block}/{first + n}/", per_unit, FIRED))
    return rows


def initiative_rows(count: int, *, members: int, per_unit: int) -> list[tuple]:
    """Initiatives by random members over the last 60 days."""
    rng = random.Random(6)
    rows = []
    for _ in range(count):
        member_id = rng.randrange(members - members % per_unit) + 1
        created = FIRED - timedelta(minutes=rng.randrange(60 * 24 * 60))
        rows.append(("Sáng kiến", "sang kien", "Kỹ thuật", "Nội dung", "Hiệu quả", "submitted",
                     member_id, 2 + BLOCKS + (member_id - 1) // per_unit, 1, created, created))
    return rows


async def generate(dsn: str, *, units: int, members: int, initiatives: int) -> None:
    """Fill the database with COPY: a province, blocks, unions, members, officers, chats, work."""
    per_unit, first = members // units, 2 + BLOCKS
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("units", records=unit_rows(units, per_unit), columns=[
            "id", "code", "name", "name_folded", "level", "parent_id", "path", "member_count",
            "created_at"])
        await conn.execute("""INSERT INTO phases (id, number, name, starts_on, ends_on, status)
                              VALUES (1, 1, 'Giai đoạn 1', $1, $2, 'open')""",
                           TODAY - timedelta(days=60), TODAY + timedelta(days=40))
        await conn.execute("""INSERT INTO sprints (phase_id, name, starts_on, ends_on)
                              VALUES (1, 'Đợt 35 ngày', $1, $2)""",
                           TODAY - timedelta(days=10), TODAY + timedelta(days=24))
        await conn.copy_records_to_table("targets", records=[
            (first + n, 1, 40 + n % 20) for n in range(units)], columns=["unit_id", "phase_id", "target"])
        await conn.copy_records_to_table("members", records=[
            (n * per_unit + k + 1, first + n, f"Đoàn viên {n * per_unit + k + 1}", None,
             "officer" if k == 0 else "member", True, FIRED)
            for n in range(units) for k in range(per_unit)],
            columns=["id", "unit_id", "name", "phone", "role", "reminders_enabled", "created_at"])
        await people_and_chats(conn, units=units, per_unit=per_unit)
        await conn.copy_records_to_table("initiatives", records=initiative_rows(
            initiatives, members=members, per_unit=per_unit), columns=[
            "title", "title_folded", "field", "content", "effect", "status", "member_id", "unit_id",
            "phase_id", "created_at", "updated_at"])
        for table in ("units", "members"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def people_and_chats(conn: asyncpg.Connection, *, units: int, per_unit: int) -> None:
    """Every union's officer on Telegram, and every union's Telegram group linked."""
    first = 2 + BLOCKS
    await conn.copy_records_to_table("identities", records=[
        (n * per_unit + 1, "telegram", str(10_000_000 + n), True, "", FIRED) for n in range(units)],
        columns=["member_id", "channel", "user_id", "verified", "display_name", "created_at"])
    await conn.copy_records_to_table("chats", records=[
        ("telegram", str(-100_000_000 - n), True, first + n, "", True, FIRED, FIRED)
        for n in range(units)],
        columns=["channel", "chat_id", "is_group", "unit_id", "title", "reachable", "created_at",
                 "updated_at"])


async def baseline(app: App) -> tuple[float, int]:
    """One hand-written query for the per-unit counts, plus inserting as many outbox rows."""
    started = time.perf_counter()
    async with app.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        day = datetime(2026, 11, 25, tzinfo=app.config.programme.tz)
        counts = await raw.fetch(BASELINE_SQL, 1, day - timedelta(days=1), day)
    rows = [{"channel": "telegram", "chat_id": str(row[0]), "is_group": kind == "urge",
             "member_id": None, "text": hand_written(kind, row), "choices": [],
             "dedup_key": f"base:{kind}:{row[1]}", "priority": 10, "not_before": FIRED,
             "created_at": FIRED, "status": "pending", "attempts": 0}
            for kind in ("urge", "digest") for row in counts]
    from storage.repositories import outbox

    async with unit_of_work(app.sessions) as session:
        await outbox.add_many(session, rows)
    return time.perf_counter() - started, len(rows)


def hand_written(kind: str, row: asyncpg.Record) -> str:
    """The baseline's message: the same figures in an f-string, about as long as the real text."""
    _uid, code, name, target, count, week, pending, silent = row
    ratio = f"{count / target:.0%}" if target else "–"
    if kind == "urge":
        return (f"📣 {name} – Giai đoạn 1\nĐã có {count}/{target} sáng kiến, đạt {ratio} kế hoạch.\n"
                f"Đợt 35 ngày còn 25 ngày; giai đoạn còn 41 ngày.\n"
                f"Còn thiếu {max(target - count, 0)} sáng kiến: mỗi ngày cần thêm khoảng 1 sáng kiến.\n"
                f"Cảm ơn các đoàn viên đã gửi sáng kiến trong tuần qua!\nGõ /sangkien để gửi sáng kiến mới.")
    return (f"📋 Bản tin {name} – Giai đoạn 1\n- Sáng kiến mới hôm qua: {week}\n"
            f"- Tổng cả giai đoạn: {count}/{target}, đạt {ratio} kế hoạch\n- Chờ duyệt: {pending}\n"
            f"- Đoàn viên chưa có sáng kiến: {silent} (gõ /chuanop để xem danh sách)\n- {code}")


async def ours(app: App) -> tuple[float, int]:
    """Build and queue every urge and digest message through the jobs."""
    ctx = scheduling.job_context(app)
    object.__setattr__(ctx, "send_now", None)  # measure building and queueing only
    specs = scheduling.specs(app)
    started = time.perf_counter()
    count = 0
    for name in ("urge_units", "officer_digest"):
        count += (await fire(ctx, specs[name], FIRED, manual=True)).count
    return time.perf_counter() - started, count


async def reset(app: App) -> None:
    async with unit_of_work(app.sessions) as session:
        await session.execute(text("TRUNCATE outbox, job_runs"))
    async with app.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        await raw.execute("VACUUM ANALYZE outbox")


async def measure(url: str) -> None:
    config = load_config(env={"SANGKIEN__DATABASE__URL": url})
    app = App.create(config, clock=ManualClock(FIRED), worker_id="bench")
    ours_s, base_s = [], []
    try:
        for _ in range(REPEATS):
            await reset(app)
            seconds, base_rows = await baseline(app)
            base_s.append(seconds)
            await reset(app)
            seconds, queued = await ours(app)
            ours_s.append(seconds)
    finally:
        await app.close()
    mine, base = statistics.median(ours_s), statistics.median(base_s)
    print(f"messages queued: {queued} (baseline rows: {base_rows})")
    print(f"jobs (urge_units + officer_digest): median {mine:.2f} s  runs {[round(s, 2) for s in ours_s]}")
    print(f"baseline (one SQL query + inserts): median {base:.2f} s  runs {[round(s, 2) for s in base_s]}")
    print(f"ratio: {mine / base:.2f}x (goal <= 2x), under 30 s: {mine < 30}")


async def main(args: argparse.Namespace) -> None:
    async with scratch_database() as url:
        await asyncio.to_thread(migrate.upgrade, url)
        started = time.perf_counter()
        await generate(url.replace("+asyncpg", ""), units=args.units, members=args.members,
                       initiatives=args.initiatives)
        print(f"generated {args.units} unions, {args.members} members, {args.initiatives} "
              f"initiatives in {time.perf_counter() - started:.1f} s")
        await measure(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--initiatives", type=int, default=200_000)
    asyncio.run(main(parser.parse_args()))

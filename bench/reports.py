"""Benchmark the reports on the national data set (PostgreSQL) and on the demo district (SQLite).

    .venv/bin/python bench/reports.py            # creates a database, loads ~2.4M initiatives, drops it
    SANGKIEN_BENCH_PG_URL=postgresql+asyncpg://postgres@127.0.0.1/nat .venv/bin/python bench/reports.py
        # reuses that database (loading the national set into it when it is empty), keeps it

For each report: the median of several runs of our service next to the median of one hand-written
SQL query returning the same numbers, the two alternating run by run so that both see the same
load; goal ≤ 1.5× and the country < 2 s.
On the demo district (SQLite) every report should take < 50 ms.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pgdb import scratch_database
from handlers.clock import SystemClock, local_today
from handlers.services import awards, benefits, demo, demo_national, forecast, league
from handlers.services import report_scope as scopes
from handlers.services.demo_national import vacuum
from handlers.settings import AwardRules, ProgrammeSettings
from storage import migrate
from storage.db import DatabaseSettings, create_engine, create_sessionmaker, unit_of_work
from storage.repositories import standings

RUNS = int(os.environ.get("SANGKIEN_BENCH_RUNS", "5"))
PROGRAMME = ProgrammeSettings(fields=("Kỹ thuật", "Khác"))
STATUSES = list(PROGRAMME.counting_statuses)
RULES = AwardRules()

RANK_ORDER = """{n} DESC,
    CASE WHEN coalesce(tg.target, 0) > 0 THEN {n}::float / tg.target ELSE -1 END DESC,
    CASE WHEN u.member_count > 0 THEN {n}::float * 100 / u.member_count ELSE -1 END DESC"""
TALLIES = """SELECT i.unit_id, count(*) AS n,
           sum(CASE WHEN i.created_at < $2 THEN 1 ELSE 0 END) AS nb,
           count(DISTINCT i.member_id) AS authors, coalesce(sum(i.benefit_vnd), 0) AS benefit,
           max(i.created_at) AS last_at
    FROM initiatives i {join}
    WHERE i.phase_id = $1 AND i.status = ANY($3) {where}
    GROUP BY i.unit_id"""
LEAGUE_SQL = """WITH t AS (""" + TALLIES + """)
SELECT u.id, u.code, u.name, u.parent_id, u.member_count, coalesce(tg.target, 0),
       coalesce(t.n, 0), coalesce(t.nb, 0), coalesce(t.authors, 0), coalesce(t.benefit, 0),
       rank() OVER (PARTITION BY u.parent_id ORDER BY """ + RANK_ORDER.format(n="coalesce(t.n, 0)") + """),
       rank() OVER (PARTITION BY u.parent_id ORDER BY """ + RANK_ORDER.format(n="coalesce(t.nb, 0)") + """)
FROM units u LEFT JOIN t ON t.unit_id = u.id
     LEFT JOIN targets tg ON tg.unit_id = u.id AND tg.phase_id = $1
WHERE u.level = 'grassroots' {uwhere}
ORDER BY u.parent_id, 11, u.code"""
COLLECTIVES_SQL = """WITH t AS (""" + TALLIES + """)
SELECT u.code, t.n, coalesce(tg.target, 0), u.member_count
FROM t JOIN units u ON u.id = t.unit_id
     LEFT JOIN targets tg ON tg.unit_id = u.id AND tg.phase_id = $1
WHERE u.level = 'grassroots'
ORDER BY CASE WHEN coalesce(tg.target, 0) > 0 THEN t.n::float / tg.target ELSE -1 END DESC,
         CASE WHEN u.member_count > 0 THEN t.n::float * 100 / u.member_count ELSE -1 END DESC,
         t.n DESC, t.last_at, u.code LIMIT $4"""
INDIVIDUALS_SQL = """SELECT a.member_id, m.name, a.n, a.benefit FROM (
    SELECT member_id, count(*) AS n, coalesce(sum(benefit_vnd), 0) AS benefit,
           max(created_at) AS last_at
    FROM initiatives WHERE phase_id = $1 AND status = ANY($2)
    GROUP BY member_id ORDER BY n DESC, benefit DESC, last_at, member_id LIMIT $3) a
JOIN members m ON m.id = a.member_id ORDER BY a.n DESC, a.benefit DESC, a.last_at, a.member_id"""


async def paired(ours: Callable[[], Awaitable[Any]], hand: Callable[[], Awaitable[Any]],
                 runs: int = RUNS) -> tuple[float, Any, float, Any]:
    """Time both, alternating run by run so they see the same load; return medians and results."""
    result_ours, result_hand = await ours(), await hand()
    times: dict[str, list[float]] = {"ours": [], "hand": []}
    for _ in range(runs):
        for name, make in (("ours", ours), ("hand", hand)):
            start = time.perf_counter()
            result = await make()
            times[name].append(time.perf_counter() - start)
            if name == "ours":
                result_ours = result
            else:
                result_hand = result
    return (statistics.median(times["ours"]), result_ours, statistics.median(times["hand"]),
            result_hand)


async def median(make: Callable[[], Awaitable[Any]], runs: int = RUNS) -> tuple[float, Any]:
    """Run once to warm up, then `runs` times; return the median seconds and the last result."""
    result = await make()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = await make()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def league_sql(path: str | None) -> str:
    if path is None:
        return LEAGUE_SQL.format(join="", where="", uwhere="")
    return LEAGUE_SQL.format(join="JOIN units u ON u.id = i.unit_id", where="AND u.path LIKE $4",
                             uwhere="AND u.path LIKE $4")


async def pg_bench(url: str) -> list[tuple[str, float, float]]:
    engine = create_engine(DatabaseSettings(url=url))
    sessions = create_sessionmaker(engine)
    raw = await asyncpg.connect(url.replace("+asyncpg", ""))
    now = datetime.now(UTC)
    results = []
    try:
        async with sessions() as session:
            today = local_today(SystemClock(), PROGRAMME.tz)
            country = await scopes.resolve(session, code=None, phase=None, now=now, today=today)
            province = await scopes.resolve(session, code="T01", phase=None, now=now, today=today)
            phase_id = country.phase.id
            for label, scope in (("league, province T01", province), ("league, country", country)):
                args = [phase_id, scope.cut, STATUSES] + ([f"{scope.path}%"] if scope.path else [])
                ours, result, hand, rows = await paired(
                    lambda s=scope: league.league(session, s, statuses=STATUSES),
                    lambda a=args, p=scope.path: raw.fetch(league_sql(p), *a))
                check_league(result, rows)
                results.append((f"{label} ({result.unit_count:,} unions)", ours, hand))
            ours, short, hand, (units, people) = await paired(
                lambda: awards.shortlist(session, country, rules=RULES, counting=STATUSES),
                lambda: hand_awards(raw, phase_id, country.cut))
            assert [p.code for p in short.collectives] == [r[0] for r in units[:10]], "collectives differ"
            assert [p.count for p in short.individuals] == [r[2] for r in people[:10]], "individuals differ"
            results.append(("award shortlist, country", ours, hand))
    finally:
        await raw.close()
        await engine.dispose()
    return results


async def hand_awards(raw: asyncpg.Connection, phase_id: int, cut: datetime) -> tuple[Any, Any]:
    units = await raw.fetch(COLLECTIVES_SQL.format(join="", where=""), phase_id, cut, STATUSES, 11)
    people = await raw.fetch(INDIVIDUALS_SQL, phase_id, STATUSES, 11)
    return units, people


def check_league(result: league.League, rows: list[Any]) -> None:
    """The service and the hand-written query must give the same numbers and ranks."""
    ours = {(r.code, r.count, r.count_before, r.authors, r.rank, r.rank_before)
            for t in result.tables for r in t.rows}
    theirs = {(r[1], r[6], r[7], r[8], r[10], r[11]) for r in rows}
    if all(r.rank_before is None for t in result.tables for r in t.rows):
        ours = {row[:5] for row in ours}
        theirs = {row[:5] for row in theirs}
    assert ours == theirs, "league numbers differ"


async def sqlite_bench() -> list[tuple[str, float]]:
    path = Path(tempfile.mkdtemp()) / "bench.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url)
    engine = create_engine(DatabaseSettings(url=url))
    sessions = create_sessionmaker(engine)
    today = local_today(SystemClock(), PROGRAMME.tz)
    async with unit_of_work(sessions) as session:
        await demo.load_district(session, today=today, tz=PROGRAMME.tz, fields=PROGRAMME.fields)
    out = []
    async with sessions() as session:
        scope = await scopes.resolve(session, code=None, phase=None, now=datetime.now(UTC),
                                     today=today)

        async def units_report() -> Any:
            return forecast.forecast(await league.league(session, scope, statuses=STATUSES))

        async def benefit_report() -> Any:
            return await benefits.roll_up(session, scope, await league.tallies(session, scope, STATUSES))

        cases = {"league": lambda: league.league(session, scope, statuses=STATUSES),
                 "units (forecast)": units_report, "benefits": benefit_report,
                 "awards": lambda: awards.shortlist(session, scope, rules=RULES, counting=STATUSES),
                 "silent": lambda: standings.list_silent(session, phase_id=scope.phase.id, path=None)}
        for name, make in cases.items():
            seconds, _ = await median(make, runs=20)
            out.append((name, seconds))
    await engine.dispose()
    return out


async def load(url: str) -> float:
    migrate.upgrade(url)
    engine = create_engine(DatabaseSettings(url=url))
    start = time.perf_counter()
    async with unit_of_work(create_sessionmaker(engine)) as session:
        if await demo.has_data(session):
            await engine.dispose()
            return 0.0
        today = local_today(SystemClock(), PROGRAMME.tz)
        await demo_national.load_national(session, today=today, tz=PROGRAMME.tz,
                                          fields=PROGRAMME.fields, progress=progress)
    await vacuum(engine)
    await engine.dispose()
    print(file=sys.stderr)
    return time.perf_counter() - start


def progress(stage: str, rows: int, _seen: dict[str, int] = {}) -> None:  # noqa: B006
    _seen[stage] = _seen.get(stage, 0) + rows
    print(f"\r  loading {stage}: {_seen[stage]:,}      ", end="", file=sys.stderr, flush=True)


async def main() -> None:
    print(f"reports benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    for name, seconds in await sqlite_bench():
        flag = "ok" if seconds < 0.05 else "OVER 50 ms"
        print(f"  SQLite demo district  {name:<18} {seconds * 1000:7.1f} ms  {flag}")
    async with scratch_database(reuse=os.environ.get("SANGKIEN_BENCH_PG_URL")) as url:
        seconds = await load(url)
        if seconds:
            print(f"  national demo load (PostgreSQL): {seconds:.0f} s")
        for label, ours, hand in await pg_bench(url):
            print(f"  PostgreSQL national  {label:<38} ours {ours:6.3f} s  "
                  f"hand-written SQL {hand:6.3f} s  ratio {ours / hand:4.2f}")


if __name__ == "__main__":
    asyncio.run(main())

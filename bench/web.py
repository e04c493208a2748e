"""Benchmark the web page (overview and league) on the national data set, on PostgreSQL.

    .venv/bin/python bench/web.py            # creates a database, loads the national set, drops it
    SANGKIEN_BENCH_PG_URL=postgresql+asyncpg://postgres@127.0.0.1/nat .venv/bin/python bench/web.py
        # reuses that database (loading the national set into it when it is empty), keeps it

The web server runs in a child process (`bot.web.build`, as `sangkien run` serves it). 20 clients
on loopback, each signed in with its own one-time link (as district staff of the median-sized
district, and as the demo officer), request a page again and again for SANGKIEN_BENCH_SECONDS
(default 15) or SANGKIEN_BENCH_REQUESTS (default 1500) requests, whichever comes first. The
baseline is the report query alone (the league service the page calls, for the same scope) run
by 20 concurrent tasks in this process in the same run. Goal: district overview p95 <= 300 ms and
page time <= 1.2x the query alone.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pgdb import scratch_database
from bench.reports import load
from handlers.clock import SystemClock, local_today
from handlers.services import dashboard, web_access
from handlers.services import report_scope as scopes
from handlers.settings import ProgrammeSettings
from storage.db import DatabaseSettings, create_engine, create_sessionmaker, unit_of_work
from storage.models import Member, Role, Unit, UnitLevel
from storage.repositories import members

CLIENTS = int(os.environ.get("SANGKIEN_BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("SANGKIEN_BENCH_SECONDS", "15"))
REQUESTS = int(os.environ.get("SANGKIEN_BENCH_REQUESTS", "1500"))
STAFF_PHONE = "0899000001"
OFFICER_PHONE = "0900000002"
STATUSES = list(ProgrammeSettings(fields=("Kỹ thuật", "Khác")).counting_statuses)
POLICY = web_access.SignInPolicy(base_url="http://127.0.0.1")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def load_loop(make: Callable[[int], Awaitable[Any]]) -> tuple[list[float], float]:
    """Run `make(client)` from CLIENTS tasks until the time or request budget is spent.

    Returns each request's seconds and the wall time the loop took.
    """
    times: list[float] = []
    began = time.perf_counter()
    deadline = began + SECONDS

    async def client(number: int) -> None:
        while time.perf_counter() < deadline and len(times) < REQUESTS:
            start = time.perf_counter()
            await make(number)
            times.append(time.perf_counter() - start)

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return times, time.perf_counter() - began


async def district_staff(sessions: Any) -> tuple[str, int]:
    """Put a staff member (once) at the district federation of median size; return its code."""
    async with unit_of_work(sessions) as session:
        from sqlalchemy import func, select

        sizes = (select(Unit.parent_id, func.count()).where(Unit.level == UnitLevel.GRASSROOTS)
                 .group_by(Unit.parent_id).order_by(func.count(), Unit.parent_id))
        rows = (await session.execute(sizes)).all()
        district_id, size = rows[len(rows) // 2]
        district = await session.get(Unit, district_id)
        assert district is not None
        if await members.get_by_phone(session, STAFF_PHONE) is None:
            session.add(Member(unit_id=district.id, name="Cán bộ LĐLĐ (bench)",
                               phone=STAFF_PHONE, role=Role.STAFF))
        return district.code, size


async def links(sessions: Any, phone: str) -> list[str]:
    """Issue one sign-in link per client."""
    async with unit_of_work(sessions) as session:
        member = await members.get_by_phone(session, phone)
        assert member is not None, phone
        return [await web_access.issue_link(session, member=member, policy=POLICY,
                                            now=datetime.now(UTC), via="bench")
                for _ in range(CLIENTS)]


async def signed_in_clients(base: str, urls: list[str]) -> list[aiohttp.ClientSession]:
    clients = []
    for url in urls:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        path = "/" + url.split("/", 3)[3]
        async with http.get(base + path) as r:
            fields = dict(re.findall(r'name="(token|csrf)" value="([^"]+)"', await r.text()))
        async with http.post(base + "/dang-nhap", data=fields, allow_redirects=False) as r:
            assert r.status == 303, r.status
        clients.append(http)
    return clients


async def page_times(base: str, clients: list[aiohttp.ClientSession], path: str,
                     expect: str) -> tuple[list[float], float]:
    async def one(number: int) -> None:
        async with clients[number].get(base + path) as r:
            body = await r.text()
            assert r.status == 200 and expect in body, (path, r.status)

    for number in range(CLIENTS):  # warm-up
        await one(number)
    return await load_loop(one)


async def query_times(sessions: Any, root_code: str) -> tuple[list[float], float]:
    """The report query alone: the league of the same scope, from 20 concurrent tasks."""
    now = datetime.now(UTC)
    today = local_today(SystemClock(), ProgrammeSettings(fields=("a", "b")).tz)
    async with sessions() as session:
        root = await scopes.find_unit(session, root_code)

    async def one(_number: int) -> None:
        async with sessions() as session:
            await dashboard.league_for(session, root=root, now=now, today=today,
                                       statuses=STATUSES)

    for number in range(CLIENTS):
        await one(number)
    return await load_loop(one)


async def start_server(url: str, cache_seconds: int) -> tuple[asyncio.subprocess.Process, str]:
    env = {**os.environ, "SANGKIEN__DATABASE__URL": url, "SANGKIEN__WEB__PORT": "0",
           "SANGKIEN__LOGGING__LEVEL": "WARNING",
           "SANGKIEN__WEB__CACHE_SECONDS": str(cache_seconds)}
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE)
    assert child.stdout is not None
    line = (await child.stdout.readline()).decode().strip()
    return child, f"http://{line}"


async def serve() -> None:
    """Child process: the web server alone, until stdin closes."""
    from bot import web
    from bot.app import App
    from bot.config import load_config

    app = App.create(load_config())
    runner = await web.start(web.build(app), host="127.0.0.1", port=0)
    print(web.bound_address(runner), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()
    await app.close()


def line(label: str, measured: tuple[list[float], float]) -> tuple[float, float]:
    times, wall = measured
    med, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    print(f"  {label:<44} n={len(times):5d}  median {med:7.1f} ms  p95 {p95:7.1f} ms  "
          f"{len(times) / wall:6.1f} req/s")
    return med, p95


async def roles(sessions: Any) -> list[tuple[str, str, str]]:
    """The two views measured: (who, phone, root of the league the page shows)."""
    code, size = await district_staff(sessions)
    async with sessions() as session:
        officer = await members.get_by_phone(session, OFFICER_PHONE)
        assert officer is not None
        unit = await session.get(Unit, officer.unit_id)
        league_root = await dashboard.league_of(session, unit, subtree=False)
    print(f"district {code} ({size} unions); officer of {unit.code} (league {league_root.code}); "
          f"{CLIENTS} clients, {SECONDS:.0f} s or {REQUESTS} requests per case")
    return [("staff", STAFF_PHONE, code), ("officer", OFFICER_PHONE, league_root.code)]


async def pages(url: str, sessions: Any, cache_seconds: int, who: str, phone: str
                ) -> dict[str, tuple[float, float]]:
    """Measure the overview and the league of one person on a server with this cache setting."""
    child, base = await start_server(url, cache_seconds)
    clients = await signed_in_clients(base, await links(sessions, phone))
    mode = f"cache {cache_seconds} s" if cache_seconds else "no cache"
    try:
        return {path: line(f"{who}: page {path} ({mode})",
                           await page_times(base, clients, path, expect))
                for path, expect in (("/tong-quan", "Sáng kiến mới mỗi ngày"),
                                     ("/xep-hang", "Bảng xếp hạng"))}
    finally:
        for http in clients:
            await http.close()
        assert child.stdin is not None
        child.stdin.close()
        await child.wait()


async def bench(url: str) -> None:
    engine = create_engine(DatabaseSettings(url=url))
    sessions = create_sessionmaker(engine)
    try:
        for who, phone, root in await roles(sessions):
            qmed, qp95 = line(f"{who}: report query alone (league {root})",
                              await query_times(sessions, root))
            for cache_seconds in (0, 30):
                for path, (med, p95) in (await pages(url, sessions, cache_seconds, who,
                                                     phone)).items():
                    print(f"    ratio to the query: median {med / qmed:4.2f}x  p95 {p95 / qp95:4.2f}x"
                          f"  ({path}, cache {cache_seconds} s)")
    finally:
        await engine.dispose()


async def main() -> None:
    print(f"web benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    async with scratch_database(reuse=os.environ.get("SANGKIEN_BENCH_PG_URL")) as url:
        seconds = await load(url)
        if seconds:
            print(f"  national demo load (PostgreSQL): {seconds:.0f} s")
        await bench(url)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        asyncio.run(serve())
    else:
        asyncio.run(main())

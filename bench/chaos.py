"""Chaos run: two `sangkien run` workers on one PostgreSQL database, killed and restarted with -9
while simulated people use the bot and the platforms misbehave; then the database is checked
against the ground truth the people kept (issue 10).

- Workers: two `sangkien run` processes in webhook mode (Telegram and Zalo) on one fresh PostgreSQL
  database, every scheduled job firing every minute (quiet hours and holidays off), a short
  `outbox.sending_lease_seconds`.
- People: members registering initiatives (the whole 7-step dialog) on Telegram and Zalo, and one
  officer per grassroots union approving them (`/duyet SK-…`, `1`). Each waits for the answer
  (a while) before typing on, as people do.
- A load balancer spreads the webhook POSTs over the workers and delivers an update again until a
  worker answers 200 (what the platforms and a balancer do together).
- Chaos: `kill -9` of a random running worker every few seconds (then a restart), the fakes
  switching between healthy, 5xx, slow (below the clients' time-outs) and 429 with retry_after,
  and every few seconds every worker's database connection ended (`pg_terminate_backend`, as a
  PostgreSQL restart or a dropped network does): updates caught by it must be run again or
  delivered again, never lost and never handled twice.
- Baseline (same run): the first seconds run calm (no kill, no fault); their throughput and
  acknowledgement latency are printed next to the chaos phase's.

At the end the faults stop, the outbox drains, and the run counts: initiatives lost or
duplicated (every field compared), approvals lost or applied twice, acknowledged updates without
a reply queued, messages that reached the fakes more often than the outbox sent them (or never
though marked sent), messages never delivered, scheduled slots missing, and rows `uncertain`
(each listed, with the kill that left it). It prints one line:

    lost=0 duplicated=0 uncertain=N updates=… kills=…

    .venv/bin/python bench/chaos.py [--quick] [--members 200] [--seed 1] [--keep]

`--quick` runs about 2 minutes of load (about 3 in all); the full run keeps the load on until at
least 5,000 updates and 20 kills (at most 8 minutes). Exit status 1 when anything was lost or
duplicated, a row was left uncertain by a worker that was not killed, there are more uncertain
rows than kills, a message was left undelivered, or a secret or phone number appeared in the
workers' logs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.chaos_check import JOBS, Verdict, check, scan_logs  # noqa: E402
from bench.chaos_people import (  # noqa: E402
    TELEGRAM_MODES,
    ZALO_MODES,
    Balancer,
    ChaosTelegram,
    ChaosZalo,
    Person,
    Truth,
    Worker,
    World,
    median_ms,
    member_loop,
    officer_loop,
)
from bench.pgdb import scratch_database  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import load_config  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import Chat, Identity, Member, Role  # noqa: E402
from tests.factories import build_federation  # noqa: E402

UNIONS = ("DN01", "DN02", "TH01", "TH02")
OFFICERS = {"DN01": "0900000002", "TH01": "0900000007", "DN02": "0911000002", "TH02": "0911000004"}
OBSERVER = "chaos-observer"  # application_name of the run's own connections, never cut
TELEGRAM_SECRET = "chaos-telegram-secret_0123456789"
ZALO_SECRET = "chaos-zalo-secret-0123456789"


@dataclass
class Plan:
    """How long and how hard: the quick run and the full run differ only here."""

    calm: float
    min_load: float
    max_load: float
    min_updates: int
    min_kills: int
    kill_every: tuple[float, float]
    fault_every: tuple[float, float]
    cut_every: tuple[float, float]

    def done(self, elapsed: float, updates: int, kills: int) -> bool:
        """Tell whether the chaos phase has run long enough."""
        return elapsed >= self.max_load or (elapsed >= self.min_load
                                            and updates >= self.min_updates
                                            and kills >= self.min_kills)


QUICK = Plan(calm=15, min_load=110, max_load=110, min_updates=0, min_kills=0,
             kill_every=(4, 8), fault_every=(4, 8), cut_every=(8, 14))
FULL = Plan(calm=30, min_load=240, max_load=480, min_updates=5000, min_kills=20,
            kill_every=(5, 10), fault_every=(4, 9), cut_every=(10, 20))


@dataclass
class Kill:
    at: float
    worker: str
    pid: int


@dataclass
class Process:
    """A worker's process, restarted under the same name and port."""

    worker: Worker
    config: Path
    env: dict[str, str]
    logs: Path
    proc: subprocess.Popen[bytes] | None = None
    pids: list[int] = field(default_factory=list)
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.logs / f"{self.worker.name}-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(self.config),
                                      "run"], cwd=self.logs, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        self.pids.append(self.proc.pid)

    async def wait_healthy(self, http: aiohttp.ClientSession, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.worker.name} exited with {self.proc.returncode}; "
                                   f"see {self.logs}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(f"http://127.0.0.1:{self.worker.port}/healthz") as response:
                    if response.status == 200:
                        self.worker.up = True
                        return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.worker.name} did not become healthy; see {self.logs}")

    def kill(self) -> int:
        assert self.proc is not None
        self.worker.up = False
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.worker.up = False
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(work: Path, url: str, telegram: ChaosTelegram, zalo: ChaosZalo) -> Path:
    """The repository's config.yaml with the chaos settings: every job every minute, no quiet."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["database"] |= {"url": url, "pool_size": 5}
    raw["telegram"] |= {"base_url": telegram.base_url,
                        "base_file_url": telegram.base_url.replace("/bot", "/file/bot"),
                        "mode": "webhook", "media_dir": str(work / "media")}
    raw["zalo"] |= {"base_url": zalo.base_url, "mode": "webhook", "monthly_quota": 10_000_000,
                    "media_dir": str(work / "media")}
    raw["web"] |= {"host": "127.0.0.1", "public_url": "http://127.0.0.1:8080"}
    raw["console"] = {"enabled": "never"}
    raw["outbox"] = {"drain_interval_seconds": 0.5, "max_attempts": 30,
                     "sending_lease_seconds": 10, "backoff_base_seconds": 1.0,
                     "backoff_max_seconds": 5.0}
    raw["schedules"] |= {"quiet_hours": {"start": "00:00", "end": "00:00"},
                         "holidays": {"country": "", "extra": []},
                         "jobs": {name: {"cron": "* * * * *", "outside_hours": "skip",
                                         "misfire_grace_seconds": 120} for name in JOBS}}
    raw["reports"] |= {"export_dir": str(work / "exports")}
    path = work / "chaos.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


async def seed(url: str, members: int, telegram: ChaosTelegram) -> tuple[list[Person], dict[str, Person]]:
    """The test federation, `members` members on Telegram (70%) and Zalo, an officer per union,
    and a Telegram group per union (two unions also on Zalo) for the scheduled posts."""
    await asyncio.to_thread(migrate.upgrade, url)
    app = App.create(load_config(env={"SANGKIEN__DATABASE__URL": url}))
    try:
        fed = await build_federation(app, today=datetime.now(UTC).date())
        people: list[Person] = []
        officers: dict[str, Person] = {}
        async with unit_of_work(app.sessions) as session:
            extra = [Member(unit_id=fed.units[code].id, name=f"Cán bộ {code}", phone=phone,
                            role=Role.OFFICER) for code, phone in OFFICERS.items()
                     if phone not in fed.members]
            rows = [Member(unit_id=fed.units[UNIONS[i % 4]].id, name=f"Đoàn viên {i:03d}",
                           phone=f"0912{i:06d}") for i in range(members)]
            session.add_all([*extra, *rows])
            await session.flush()
            by_phone = {m.phone: m for m in [*fed.members.values(), *extra]}
            for i, member in enumerate(rows):
                channel = "telegram" if i % 10 < 7 else "zalo"
                user_id = str(810_000 + i) if channel == "telegram" else f"{0xA1B2C3D4E5F6 + i:020x}"
                session.add(Identity(channel=channel, user_id=user_id, member_id=member.id,
                                     verified=True))
                people.append(Person(i, member.id, channel, user_id, member.name))
            for code, phone in OFFICERS.items():
                officer = by_phone[phone]
                user_id = str(820_000 + UNIONS.index(code))
                session.add(Identity(channel="telegram", user_id=user_id, member_id=officer.id,
                                     verified=True))
                officers[code] = Person(1000 + UNIONS.index(code), officer.id, "telegram",
                                        user_id, officer.name)
            staff = fed.members["0900000001"]
            session.add(Identity(channel="telegram", user_id="830001", member_id=staff.id,
                                 verified=True))
            telegram.add_chat(830001, first_name="Staff")
            for index, code in enumerate(UNIONS):
                group = -1001000000000 - index
                telegram.add_chat(group, kind="supergroup", title=f"CĐ {code}")
                session.add(Chat(channel="telegram", chat_id=str(group), is_group=True,
                                 unit_id=fed.units[code].id, title=f"CĐ {code}"))
                if index % 2 == 0:
                    session.add(Chat(channel="zalo", chat_id=f"zgroup{code.lower()}",
                                     is_group=True, unit_id=fed.units[code].id,
                                     title=f"Nhóm Zalo {code}"))
        for person in [*people, *officers.values()]:
            if person.channel == "telegram":
                telegram.add_chat(int(person.user_id), first_name=person.name)
        return people, officers
    finally:
        await app.close()


@dataclass
class Chaos:
    """The kills and the fault switches, with what they did."""

    processes: list[Process]
    world: World
    plan: Plan
    http: aiohttp.ClientSession
    kills: list[Kill] = field(default_factory=list)
    modes: Counter[str] = field(default_factory=Counter)
    restarts: list[asyncio.Task[None]] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)

    async def killer(self, over: asyncio.Event) -> None:
        rng = self.world.rng
        while not await _wait(over, rng.uniform(*self.plan.kill_every)):
            running = [p for p in self.processes if p.worker.up]
            if len(running) < len(self.processes):
                continue  # one is still restarting: kill when both serve again
            victim = rng.choice(running)
            pid = await asyncio.to_thread(victim.kill)
            self.kills.append(Kill(time.monotonic(), victim.worker.name, pid))
            self.restarts.append(asyncio.create_task(self.restart(victim)))

    async def restart(self, process: Process) -> None:
        await asyncio.sleep(self.world.rng.uniform(0.2, 1.5))
        process.start()
        await process.wait_healthy(self.http)

    async def faults(self, over: asyncio.Event) -> None:
        rng = self.world.rng
        last = time.monotonic()
        while not over.is_set():
            telegram = rng.choices(TELEGRAM_MODES, weights=(4, 2, 2, 2))[0]
            zalo = rng.choices(ZALO_MODES, weights=(4, 2, 2))[0]
            self.world.telegram.set_mode(telegram)
            self.world.zalo.set_mode(zalo)
            await _wait(over, rng.uniform(*self.plan.fault_every))
            now = time.monotonic()
            self.modes[f"telegram {telegram}"] += now - last
            self.modes[f"zalo {zalo}"] += now - last
            last = now
        self.world.telegram.set_mode("healthy")
        self.world.zalo.set_mode("healthy")


    async def cut_connections(self, over: asyncio.Event, pool: asyncpg.Pool) -> None:
        """End every worker's database connection now and then, in the middle of their work."""
        rng = self.world.rng
        while not await _wait(over, rng.uniform(*self.plan.cut_every)):
            ended = await pool.fetchval(
                "SELECT count(*) FILTER (WHERE ended) FROM (SELECT pg_terminate_backend(pid) AS "
                "ended FROM pg_stat_activity WHERE datname = current_database() AND "
                "pid <> pg_backend_pid() AND application_name <> $1) AS cut", OBSERVER)
            self.cuts.append(ended)


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` passed; return whether it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
    return event.is_set()


async def review_queue(pool: asyncpg.Pool, unit_id: int, taken: set[str]) -> str | None:
    """The oldest submitted initiative of a union no officer has picked yet (the officer's list)."""
    rows = await pool.fetch("SELECT number FROM initiatives WHERE unit_id = $1 AND status = "
                            "'submitted' AND number IS NOT NULL ORDER BY id LIMIT 20", unit_id)
    for row in rows:
        if row["number"] not in taken:
            taken.add(row["number"])
            return row["number"]
    return None


async def wait_drained(pool: asyncpg.Pool, within: float) -> float:
    """Wait until no outbox row is pending or sending (uncertain ones are flagged by then)."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        left = await pool.fetchval("SELECT count(*) FROM outbox WHERE status IN "
                                   "('pending', 'claimed', 'sending')")
        if left == 0:
            return time.monotonic() - started
        await asyncio.sleep(1)
    return -1.0


async def schedule_broadcast(config: Path, env: dict[str, str], work: Path) -> None:
    """Staff schedule a broadcast to one union for two minutes from now (the CLI, as staff do)."""
    at = (datetime.now(UTC) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "broadcast", "--to", "unit:DN01",
        "--text", "Công đoàn nhắc: hạn đăng ký sáng kiến đợt này là cuối tháng.",
        "--at", at.isoformat(), cwd=work, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"sangkien broadcast failed: {err.decode().strip()}")


@dataclass
class Phase:
    """Updates acknowledged in a phase of the run, and how long each took to be."""

    updates: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Outcome:
    calm: Phase
    chaos: Phase
    started: float
    drained: float
    verdict: Verdict


async def run(plan: Plan, members: int, seed_value: int, keep: bool) -> int:
    rng = random.Random(seed_value)
    whole = time.monotonic()
    print(f"# chaos run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {members} members, 4 officers, "
          f"2 workers; {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="sangkien-chaos-"))
    telegram = await ChaosTelegram(seed=seed_value).start()
    zalo = ChaosZalo()
    await zalo.start()
    balancer = Balancer([Worker("w1", free_port()), Worker("w2", free_port())], rng)
    await balancer.start()
    world = World(telegram, zalo, balancer, TELEGRAM_SECRET, ZALO_SECRET, Truth(), rng)
    processes: list[Process] = []
    chaos = Chaos(processes, world, plan, aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=2)))
    try:
        async with scratch_database("sangkien_chaos", keep=keep) as url:
            people, officers = await seed(url, members, telegram)
            config = write_config(work, url, telegram, zalo)
            env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")} | {
                "SANGKIEN__TELEGRAM__TOKEN": telegram.token, "SANGKIEN__ZALO__TOKEN": zalo.token,
                "SANGKIEN__TELEGRAM__WEBHOOK_SECRET": TELEGRAM_SECRET,
                "SANGKIEN__ZALO__WEBHOOK_SECRET": ZALO_SECRET, "PYTHONPATH": str(ROOT)}
            processes += [Process(w, config, env | {"SANGKIEN__WEB__PORT": str(w.port)}, work)
                          for w in balancer.workers]
            for process in processes:
                process.start()
            await asyncio.gather(*(p.wait_healthy(chaos.http) for p in processes))
            async with asyncpg.create_pool(url.replace("+asyncpg", ""), min_size=1, max_size=4,
                                           server_settings={"application_name": OBSERVER}) as pool:
                outcome = await drive(chaos, pool, people, officers,
                                      lambda: schedule_broadcast(config, env, work))
            if keep:
                print(f"kept: database {url.rsplit('/', 1)[-1]}, logs in {work}")
    finally:
        for process in processes:
            await asyncio.to_thread(process.stop)
        await chaos.http.close()
        await balancer.close()
        await telegram.close()
        await zalo.close()
    leaks = scan_logs(work, [telegram.token, zalo.token, TELEGRAM_SECRET, ZALO_SECRET])
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    report(outcome, chaos, leaks)
    print(f"the whole run took {time.monotonic() - whole:.0f} s")
    return verdict_line(outcome.verdict, chaos.kills, updates=len(world.truth.acked), leaks=leaks,
                        drained=outcome.drained)


async def drive(chaos: Chaos, pool: asyncpg.Pool, people: list[Person],
                officers: dict[str, Person], broadcast: Callable[[], Awaitable[None]]) -> Outcome:
    """The people use the bot: calm first (the baseline), then with kills and faults."""
    world, plan = chaos.world, chaos.plan
    units = {code: await pool.fetchval("SELECT id FROM units WHERE code = $1", code)
             for code in UNIONS}
    load = asyncio.Event()
    load.set()
    taken: set[str] = set()
    loops = [asyncio.create_task(member_loop(world, p, load.is_set)) for p in people]
    loops += [asyncio.create_task(officer_loop(
        world, officer, lambda u=units[code]: review_queue(pool, u, taken), load.is_set))
        for code, officer in officers.items()]
    print(f"calm for {plan.calm:.0f} s ...", flush=True)
    t0 = time.monotonic()
    await asyncio.sleep(plan.calm)
    calm = Phase(len(world.truth.acked), time.monotonic() - t0, list(world.balancer.latencies))
    first_slot = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)

    over = asyncio.Event()
    await broadcast()
    actors = [asyncio.create_task(chaos.killer(over)), asyncio.create_task(chaos.faults(over)),
              asyncio.create_task(chaos.cut_connections(over, pool))]
    t1 = time.monotonic()
    print("chaos: kill -9 and platform faults ...", flush=True)
    while True:
        await asyncio.sleep(2)
        if plan.done(time.monotonic() - t1, len(world.truth.acked), len(chaos.kills)):
            break
    over.set()
    load.clear()
    phase = Phase(len(world.truth.acked) - calm.updates, time.monotonic() - t1,
                  world.balancer.latencies[len(calm.latencies):])
    last_slot = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    await asyncio.gather(*actors, *loops)
    await asyncio.gather(*chaos.restarts)
    print("settling: faults off, outbox draining ...", flush=True)
    drained = await wait_drained(pool, within=90)
    workers = {pid: p.worker.name for p in chaos.processes for pid in p.pids}
    verdict = await check(pool, world, workers=workers, killed={k.pid for k in chaos.kills},
                          slots=(first_slot, last_slot))
    return Outcome(calm, phase, t1, drained, verdict)


def report(outcome: Outcome, chaos: Chaos, leaks: int) -> None:
    """Print the figures, the notes and each kill that left messages uncertain."""
    world, calm, phase, verdict = chaos.world, outcome.calm, outcome.chaos, outcome.verdict
    telegram, zalo, balancer = world.telegram, world.zalo, world.balancer
    print(f"calm:  {calm.updates} updates in {calm.seconds:.0f} s = {calm.rate:.1f}/s, "
          f"ack median {median_ms(calm.latencies):.0f} ms")
    print(f"chaos: {phase.updates} updates in {phase.seconds:.0f} s = {phase.rate:.1f}/s, ack "
          f"median {median_ms(phase.latencies):.0f} ms "
          f"(throughput {phase.rate / max(calm.rate, 1e-9):.2f}x calm)")
    print(f"initiatives {len(world.truth.initiatives)}, approvals {len(world.truth.approved)}, "
          f"messages to telegram {len(telegram.sent)} / zalo {len(zalo.sent)}; webhook posts "
          f"{balancer.posts} ({balancer.redeliveries} redelivered: "
          + ", ".join(f"{k} {v}" for k, v in sorted(balancer.outcomes.items()) if k != "200")
          + f"); fakes refused telegram {dict(telegram.refused)} zalo {dict(zalo.refused)}")
    print("fault time: " + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(chaos.modes.items())))
    print(f"database connections cut {len(chaos.cuts)} times ({sum(chaos.cuts)} worker "
          f"connections ended)")
    print(f"no reply within {world.patience:.0f} s: {world.truth.no_reply}; drained in "
          f"{outcome.drained:.1f} s; token leaks in logs: {leaks}")
    print("lost by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(verdict.lost.items()))
          + " | duplicated by kind: " + ", ".join(f"{k} {v}" for k, v in
                                                 sorted(verdict.duplicated.items())))
    for note in verdict.notes[:20]:
        print(f"  {note}")
    by_pid: dict[int, list[dict[str, Any]]] = {}
    for row in verdict.uncertain:
        by_pid.setdefault(row["pid"], []).append(row)
    for number, kill in enumerate(chaos.kills, 1):
        if rows := by_pid.pop(kill.pid, []):
            arrived = sum(r["arrived"] for r in rows)
            print(f"  kill {number} ({kill.worker}, pid {kill.pid}, {kill.at - outcome.started:.0f} "
                  f"s into the chaos) landed between send and commit of {len(rows)} message(s), "
                  f"{arrived} of them had reached the platform: outbox "
                  + ", ".join(f"{r['id']} ({r['key']})" for r in rows))
    for pid, rows in by_pid.items():
        print(f"  UNEXPLAINED: pid {pid} was not killed but left uncertain rows "
              + ", ".join(str(r["id"]) for r in rows))


def verdict_line(verdict: Verdict, kills: list[Kill], *, updates: int, leaks: int,
                 drained: float) -> int:
    """Print the one line and return the exit status.

    Every uncertain row must have been left by a kill that landed between its send and its
    commit, and there may be no more uncertain rows than kills: a kill may leave the one or two
    messages truly in flight, not a queue of messages marked `sending` while they waited.
    """
    lost, duplicated = sum(verdict.lost.values()), sum(verdict.duplicated.values())
    hit = len({r["pid"] for r in verdict.uncertain})
    print(f"{hit} of {len(kills)} kills landed between a send and its commit")
    print(f"lost={lost} duplicated={duplicated} uncertain={len(verdict.uncertain)} "
          f"updates={updates} kills={len(kills)}")
    unexplained = [r for r in verdict.uncertain if not r["killed"]]
    too_many = len(verdict.uncertain) > len(kills)
    if too_many:
        print(f"FAIL: {len(verdict.uncertain)} uncertain rows for {len(kills)} kills")
    ok = (lost == 0 and duplicated == 0 and not unexplained and not too_many and leaks == 0
          and drained >= 0)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 3 minutes in all")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    options = parser.parse_args()
    # A worker killed in the middle of a call makes the fake servers log a dropped connection.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    return asyncio.run(run(QUICK if options.quick else FULL, options.members, options.seed,
                           options.keep))


if __name__ == "__main__":
    sys.exit(main())

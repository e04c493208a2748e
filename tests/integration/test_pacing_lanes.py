"""Pacing shared by the workers of a bot token: lanes in PostgreSQL, in memory on SQLite."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers.pacing import MemoryPacing, Pacer, Pacing, Slot
from handlers.services.pacing_lanes import SharedPacing, pacing_for
from handlers.settings import PacingSettings
from handlers.types import ChannelLimits, ChatRef, Outbound
from storage.db import DatabaseSettings, create_engine, unit_of_work
from storage.models import PacingLane
from storage.repositories import outbox
from storage.repositories import pacing_lanes as repo
from storage.work import autocommit

TELEGRAM = PacingSettings(per_chat_per_second=1, chat_burst=3, per_group_per_minute=20,
                          group_burst=3, overall_per_second=30, overall_burst=5,
                          max_wait_seconds=100)
DM = ChatRef("telegram", "1")
GROUP = ChatRef("telegram", "-100", is_group=True)


@dataclass
class FakeTime:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator:
    made = create_engine(DatabaseSettings(url=db_url))
    yield made
    await made.dispose()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def worker_pacing(engine, fake_time: FakeTime) -> Pacing:
    """What the wiring picks for this database, on a fake clock."""
    if engine.dialect.name == "postgresql":
        return SharedPacing(engine, clock=fake_time)
    return MemoryPacing(Pacer(monotonic=fake_time))


async def waits(pacing: Pacing, chat: ChatRef, count: int,
                settings: PacingSettings = TELEGRAM) -> list[float]:
    slots = [await pacing.reserve(settings, chat) for _ in range(count)]
    assert all(slot.booked for slot in slots)
    return [round(slot.wait, 3) for slot in slots]


def test_postgresql_shares_the_lanes_and_sqlite_keeps_them_in_memory(engine) -> None:
    expected = SharedPacing if engine.dialect.name == "postgresql" else MemoryPacing
    assert isinstance(pacing_for(engine), expected)


async def test_a_chat_gets_its_burst_then_one_a_second(engine, fake_time: FakeTime) -> None:
    assert await waits(worker_pacing(engine, fake_time), DM, 6) == [0, 0, 0, 1, 2, 3]


async def test_a_group_gets_its_burst_then_one_every_three_seconds(engine, fake_time) -> None:
    assert await waits(worker_pacing(engine, fake_time), GROUP, 5) == [0, 0, 0, 3, 6]


async def test_many_chats_share_the_bots_rate(engine, fake_time: FakeTime) -> None:
    pacing = worker_pacing(engine, fake_time)
    slots = [(await pacing.reserve(TELEGRAM, ChatRef("telegram", str(n)))).wait
             for n in range(65)]
    assert slots[:5] == [0] * 5
    assert slots[-1] == pytest.approx(60 / 30)


async def test_a_whole_bot_pause_holds_every_chat(engine, fake_time: FakeTime) -> None:
    pacing = worker_pacing(engine, fake_time)
    await pacing.hold(DM, 5, whole_bot=True)
    assert pacing.paused_for(ChatRef("telegram", "2")) == 5
    assert (await pacing.reserve(TELEGRAM, ChatRef("telegram", "3"))).wait == 5
    assert (await pacing.reserve(TELEGRAM, ChatRef("zalo", "3"))).wait == 0


async def test_no_statement_is_sent_on_sqlite(sqlite_url: str, fake_time: FakeTime) -> None:
    engine = create_engine(DatabaseSettings(url=sqlite_url))
    try:
        pacing = pacing_for(engine)
        await pacing.reserve(TELEGRAM, DM)
        await pacing.hold(DM, 5, whole_bot=True)
        async with engine.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(PacingLane))).scalar() == 0
    finally:
        await engine.dispose()


# -- PostgreSQL: several workers, one limit ----------------------------------------------------

@pytest.fixture
async def pg_engines(db_url: str) -> AsyncIterator[list]:
    if not db_url.startswith("postgresql"):
        pytest.skip("shared pacing is PostgreSQL's; SQLite runs one worker")
    made = [create_engine(DatabaseSettings(url=db_url, pool_size=4)) for _ in range(2)]
    yield made
    for engine in made:
        await engine.dispose()


async def test_a_second_worker_sees_the_chats_slots_booked_by_the_first(
        pg_engines, fake_time: FakeTime) -> None:
    first, second = (SharedPacing(e, clock=fake_time) for e in pg_engines)
    await waits(first, DM, 3)
    assert second.chat_wait(TELEGRAM, DM) == 0  # it has not booked this chat yet
    assert await waits(second, DM, 2) == [1, 2]


async def test_a_busy_chat_is_refused_not_booked_past_the_longest_wait(
        pg_engines, fake_time: FakeTime) -> None:
    first, second = (SharedPacing(e, clock=fake_time) for e in pg_engines)
    settings = TELEGRAM.model_copy(update={"max_wait_seconds": 0.5})
    await waits(first, DM, 3, settings)
    refused = await second.reserve(settings, DM)
    assert (refused.booked, refused.wait) == (False, 1)
    assert second.chat_wait(settings, DM) == 1
    fake_time.now += 1
    assert await waits(second, DM, 1, settings) == [0]  # the refusal booked nothing


async def test_a_429_seen_by_one_worker_holds_the_others(pg_engines, fake_time: FakeTime) -> None:
    first, second = (SharedPacing(e, clock=fake_time) for e in pg_engines)
    settings = TELEGRAM.model_copy(update={"max_wait_seconds": 0.5})
    await first.hold(DM, 30, whole_bot=False)
    await first.hold(GROUP, 4, whole_bot=True)
    assert await second.reserve(settings, DM) == Slot(30, booked=False)
    assert await second.reserve(settings, ChatRef("telegram", "2")) == Slot(4, booked=False)
    assert second.paused_for(ChatRef("telegram", "3")) == 4  # learnt from its last booking


async def test_two_workers_booking_at_once_never_share_a_slot(
        pg_engines, fake_time: FakeTime) -> None:
    # The clock stands still, so every slot is exactly `now + k × interval`: any two bookings
    # given the same slot, or a rate above the limit, would show in the sorted waits.
    settings = TELEGRAM.model_copy(update={"overall_per_second": 50, "overall_burst": 1})
    workers = [SharedPacing(e, clock=fake_time) for e in pg_engines]

    async def book(worker: SharedPacing, lane: int) -> list[float]:
        return [(await worker.reserve(settings, ChatRef("telegram", f"{lane}-{n}"))).wait
                for n in range(25)]

    found = await asyncio.gather(*(book(w, lane) for w in workers for lane in range(8)))
    slots = sorted(wait for one in found for wait in one)
    assert len(slots) == 400
    assert slots == pytest.approx([k / 50 for k in range(400)])


@dataclass
class TimedChannel:
    """Records when each message arrives, from any worker."""

    pacing: PacingSettings
    name: str = "paced"
    limits: ChannelLimits = field(default_factory=lambda: ChannelLimits(4096, False))
    sent: list[tuple[str, float]] = field(default_factory=list)

    async def send(self, message: Outbound) -> str | None:
        self.sent.append((message.text, time.monotonic()))
        return None


async def test_two_senders_together_keep_to_the_bots_rate(app: App, clock) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("shared pacing is PostgreSQL's; SQLite runs one worker")
    rate, burst, count = 25, 3, 75
    channel = TimedChannel(PacingSettings(overall_per_second=rate, overall_burst=burst))
    other = App.create(app.config, clock=clock, worker_id="second")
    for worker in (app, other):
        worker.add_channel(channel)
    async with unit_of_work(app.sessions) as session:
        for n in range(count):
            await outbox.add(session, {"channel": "paced", "chat_id": f"c{n}", "text": f"m{n}",
                                       "choices": [], "dedup_key": f"k{n}",
                                       "not_before": clock.now()})

    async def drain(worker: App) -> None:
        while await worker.sender.drain_once(limit=20):
            pass

    try:
        await asyncio.gather(drain(app), drain(other))
    finally:
        await other.close()
    times = sorted(at for _, at in channel.sent)
    assert len({text for text, _ in channel.sent}) == len(channel.sent) == count
    # Each worker pacing alone sent twice the rate together. GCRA allows `rate + burst` in a
    # second; allow 20% more for lateness after a slot (the `sending` mark's commit, the loop).
    most = max(sum(1 for t in times[i:] if t < start + 1) for i, start in enumerate(times))
    assert most <= rate * 1.2 + burst, most
    assert times[-1] - times[0] >= (count - burst) / rate * 0.95


async def test_a_booking_commits_without_waiting_for_the_disk(engine) -> None:
    # A booking lost in a crash of the database server only lets a little more through once: its
    # commit skips the WAL flush. A pause (429) keeps the server's setting.
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    lanes = [repo.Lane("chat:telegram:1", 1.0, 2.0, own=True),
             repo.Lane("bot:telegram:", 1 / 30, 4 / 30, own=False)]
    async with autocommit(engine) as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        for write, expected in ((lambda: repo.book(conn, lanes, max_wait=100), "off"),
                                (lambda: repo.hold(conn, "bot:telegram:", 5), "on")):
            transaction = driver.transaction()
            await transaction.start()
            try:
                await write()
                assert await driver.fetchval("SHOW synchronous_commit") == expected
            finally:
                await transaction.rollback()

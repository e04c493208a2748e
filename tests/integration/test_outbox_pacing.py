"""The outbox sender paces a channel that declares flood limits, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.app import App
from handlers.channel import RateLimited
from handlers.pacing import MemoryPacing, Pacer
from handlers.settings import PacingSettings
from handlers.types import ChannelLimits, Outbound
from storage.db import unit_of_work
from storage.models import OutboxMessage
from storage.repositories import outbox

SLOW_CHATS = PacingSettings(per_chat_per_second=1, chat_burst=1, per_group_per_minute=20,
                            group_burst=1, overall_per_second=1000, overall_burst=10,
                            max_wait_seconds=0.1)


@dataclass
class FakeTime:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class PacedChannel:
    """Records what it sends and when; raises what the script says first."""

    pacing: PacingSettings
    name: str = "paced"
    limits: ChannelLimits = field(default_factory=lambda: ChannelLimits(4096, False))
    sent: list[tuple[str, str, float]] = field(default_factory=list)
    script: list[Exception] = field(default_factory=list)

    async def send(self, message: Outbound) -> str | None:
        if self.script:
            raise self.script.pop(0)
        self.sent.append((message.chat.chat_id, message.text, time.monotonic()))
        return None


@pytest.fixture
def clock_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def paced(app: App, clock_time: FakeTime) -> PacedChannel:
    channel = PacedChannel(SLOW_CHATS)
    app.add_channel(channel)
    app.sender.pacer = MemoryPacing(Pacer(monotonic=clock_time))
    return channel


async def queue(app: App, chat_id: str, text: str, *, group: bool = False) -> int:
    async with unit_of_work(app.sessions) as session:
        row_id = await outbox.add(session, {
            "channel": "paced", "chat_id": chat_id, "is_group": group, "text": text,
            "choices": [], "dedup_key": f"{chat_id}:{text}", "not_before": app.clock.now()})
    assert row_id is not None
    return row_id


async def rows(app: App) -> list[tuple[str, str, int]]:
    async with app.sessions() as session:
        found = await session.execute(select(OutboxMessage.text, OutboxMessage.status,
                                             OutboxMessage.attempts).order_by(OutboxMessage.id))
        return [tuple(r) for r in found.all()]


async def test_a_chat_over_its_rate_is_requeued_in_order_and_others_go_on(
        app: App, paced: PacedChannel, clock, clock_time: FakeTime) -> None:
    for text in ("một", "hai", "ba"):
        await queue(app, "c1", text)
    await queue(app, "c2", "khác")
    assert await app.sender.drain_once() == 2
    assert [s[1] for s in paced.sent] == ["một", "khác"]
    assert await rows(app) == [("một", "sent", 1), ("hai", "pending", 0), ("ba", "pending", 0),
                               ("khác", "sent", 1)]
    assert await app.sender.drain_once() == 0  # not due yet
    for expected in (["hai"], ["ba"]):
        clock.advance(seconds=1)
        clock_time.now += 1
        before = len(paced.sent)
        await app.sender.drain_once()
        assert [s[1] for s in paced.sent[before:]] == expected


async def test_a_group_waits_its_turn_under_the_group_limit(
        app: App, paced: PacedChannel, clock, clock_time: FakeTime) -> None:
    await queue(app, "-1", "một", group=True)
    await queue(app, "-1", "hai", group=True)
    await app.sender.drain_once()
    async with app.sessions() as session:
        due = (await session.execute(select(OutboxMessage.not_before)
                                     .where(OutboxMessage.text == "hai"))).scalar_one()
    assert due.replace(tzinfo=clock.now().tzinfo) - clock.now() == timedelta(seconds=3)


async def test_a_short_wait_is_slept_not_requeued(app: App, clock_time: FakeTime) -> None:
    channel = PacedChannel(SLOW_CHATS.model_copy(update={"per_chat_per_second": 20}))
    app.add_channel(channel)
    app.sender.pacer = MemoryPacing()  # real time: two 50 ms waits
    ids = [await queue(app, "c1", text) for text in ("một", "hai", "ba")]
    started = time.monotonic()
    assert await app.sender.send_ids(ids) == 3
    # The k-th message's slot is k intervals after the first's, which is booked after `started`
    # (a slow first send may shorten the gap after it, never the rate).
    since_start = [sent[2] - started for sent in channel.sent]
    assert all(elapsed >= 0.045 * k for k, elapsed in enumerate(since_start)), since_start


async def test_a_whole_bot_pause_holds_every_chat_of_that_channel(
        app: App, paced: PacedChannel, clock, clock_time: FakeTime) -> None:
    paced.script.append(RateLimited(5, whole_bot=True))
    await queue(app, "c1", "một")
    await queue(app, "c2", "hai")
    assert await app.sender.drain_once() == 0
    assert paced.sent == []
    clock.advance(seconds=5)
    clock_time.now += 5
    assert await app.sender.drain_once() == 2
    assert await rows(app) == [("một", "sent", 1), ("hai", "sent", 1)]


async def test_a_chat_pause_leaves_other_chats_alone(
        app: App, paced: PacedChannel, clock, clock_time: FakeTime) -> None:
    paced.script.append(RateLimited(5, whole_bot=False))
    await queue(app, "-9", "nhóm", group=True)
    await queue(app, "c2", "riêng")
    assert await app.sender.drain_once() == 1
    assert [s[1] for s in paced.sent] == ["riêng"]


async def test_marks_of_concurrent_sends_share_their_commits(app: App, clock_time: FakeTime) -> None:
    # Twenty chats are served side by side: their `sending` marks, and then their `sent` marks,
    # go in shared transactions (group commit), not two transactions a message.
    channel = PacedChannel(PacingSettings(overall_per_second=1000, overall_burst=50,
                                          concurrency=20))
    app.add_channel(channel)
    app.sender.pacer = MemoryPacing(Pacer(monotonic=clock_time))
    for index in range(20):  # a busy outbox first: the send window widens to 20
        await queue(app, f"w{index}", "xin chào")
    assert await app.sender.drain_once() == 20
    for index in range(20):
        await queue(app, f"c{index}", "xin chào")
    commits: list[int] = []

    def count(_conn: object) -> None:
        commits.append(1)

    event.listen(app.engine.sync_engine, "commit", count)
    try:
        assert await app.sender.drain_once() == 20
    finally:
        event.remove(app.engine.sync_engine, "commit", count)
    assert sorted(chat for chat, _, _ in channel.sent[20:]) == sorted(f"c{i}" for i in range(20))
    async with app.sessions() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert set(statuses) == {"sent"}
    # One transaction a mark would be 40 (and the claim); shared, a handful.
    assert len(commits) <= 10, f"{len(commits)} commits for 20 messages"

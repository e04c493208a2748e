"""Several workers drain one outbox: each message is claimed and sent once (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from bot.app import App
from bot.channels.memory import MemoryChannel
from storage.db import unit_of_work
from storage.models import OutboxMessage
from storage.repositories import outbox


async def test_two_workers_share_the_queue_and_send_each_message_once(app: App, clock) -> None:
    other = App.create(app.config, clock=clock, worker_id="second")
    shared = MemoryChannel("shared")
    app.add_channel(shared)
    other.add_channel(shared)
    async with unit_of_work(app.sessions) as session:
        for n in range(300):
            await outbox.add(session, {"channel": "shared", "chat_id": f"c{n % 40}",
                                       "text": f"m{n}", "choices": [], "dedup_key": f"k{n}",
                                       "not_before": clock.now()})
    try:
        async def drain(worker: App) -> None:
            while await worker.sender.drain_once(limit=20):
                pass

        await asyncio.gather(drain(app), drain(other))
    finally:
        await other.close()
    counts = Counter(m.text for m in shared.sent)
    assert len(counts) == 300 and set(counts.values()) == {1}
    async with app.sessions() as session:
        by_worker = dict((await session.execute(
            select(OutboxMessage.claimed_by, func.count()).group_by(OutboxMessage.claimed_by))).all())
    assert sum(by_worker.values()) == 300


async def test_claimed_rows_come_in_priority_then_queue_order(app: App, clock) -> None:
    channel = MemoryChannel("ordered")
    app.add_channel(channel)
    async with unit_of_work(app.sessions) as session:
        for n, priority in enumerate([10, 0, 10, 5, 0]):
            await outbox.add(session, {"channel": "ordered", "chat_id": "c", "text": f"m{n}",
                                       "choices": [], "dedup_key": f"o{n}", "priority": priority,
                                       "not_before": clock.now()})
    await app.sender.drain_once()
    assert [m.text for m in channel.sent] == ["m1", "m4", "m3", "m0", "m2"]

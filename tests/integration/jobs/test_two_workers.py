"""Two workers on one PostgreSQL database fire every job for 100 slots: each message goes once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import scheduling
from bot.app import App
from bot.channels.memory import MemoryChannel
from handlers.services import broadcasts
from schedules import slots
from schedules.runner import fire
from storage.db import unit_of_work
from storage.models import Audience, JobRun, OutboxMessage
from tests.integration.jobs.conftest import FIRED, World

SLOTS = 100
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def second(world: World) -> App:
    if world.app.engine.dialect.name != "postgresql":
        pytest.skip("two workers sharing one database: PostgreSQL only")
    other = App.create(world.app.config, clock=world.clock, worker_id="w2")
    other.add_channel(MemoryChannel())
    yield other
    await other.close()


def next_slots(cron: str, count: int) -> list[datetime]:
    found, moment = [], FIRED - timedelta(seconds=1)
    while len(found) < count:
        moment = slots.following(cron, TZ, moment)
        found.append(moment)
    return found


async def schedule_broadcasts(app: App) -> None:
    async with unit_of_work(app.sessions) as session:
        for minutes, audience in ((3, Audience.ALL), (40, Audience.LAGGING), (77, Audience.SILENT)):
            await broadcasts.create(session, audience=audience, code=None, text=f"Tin {minutes}",
                                    send_at=FIRED + timedelta(minutes=minutes), expected=0,
                                    created_by_id=None, now=FIRED)


@pytest.mark.timeout(180)
async def test_two_workers_firing_every_job_for_100_slots_send_each_message_once(
        world: World, second: App) -> None:
    await schedule_broadcasts(world.app)
    contexts = [scheduling.job_context(app) for app in (world.app, second)]
    specs = list(scheduling.specs(world.app).values())
    plan = {spec.name: next_slots(spec.cron, SLOTS) for spec in specs}
    winners: Counter[tuple[str, datetime]] = Counter()
    for index in range(SLOTS):
        world.clock.current = max(plan[spec.name][index] for spec in specs)
        outcomes = await asyncio.gather(*(fire(ctx, spec, plan[spec.name][index])
                                          for spec in specs for ctx in contexts))
        winners.update((o.job, o.slot) for o in outcomes if o.state in ("done", "shifted"))
    # Each slot was run by one worker; the other found the claim (broadcasts drop empty claims).
    assert max(n for (job, _), n in winners.items() if job != "broadcasts") == 1
    world.clock.current = FIRED + timedelta(days=400)
    for app in (world.app, second):
        while await app.sender.drain_once(limit=500):
            pass
    channels = [world.channel, second.channels["memory"]]
    delivered = Counter(m.outbox_id for ch in channels for m in ch.sent)
    async with world.app.sessions() as session:
        rows = (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one()
        runs = (await session.execute(select(func.count(JobRun.id)))).scalar_one()
    assert rows > 100 and max(delivered.values()) == 1
    assert sum(len(ch.sent) for ch in channels) == rows
    assert all(len(ch.sent) > 0 for ch in channels)  # both workers won some slots
    assert runs <= SLOTS * (len(specs) - 1) + 3  # one row per slot at most (broadcasts: when busy)

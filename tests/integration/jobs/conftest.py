"""A federation shaped for outreach: a union at 0%, one at 86%, one over 100%, linked groups, chat
accounts for officers, staff and members, and a job context on the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from bot import scheduling
from bot.app import App
from bot.channels.memory import MemoryChannel
from handlers.clock import ManualClock
from handlers.services.members import link_chat
from handlers.types import ChatRef
from schedules.context import JobContext
from schedules.registry import JobSpec
from schedules.runner import Outcome, fire
from storage.db import unit_of_work
from storage.models import Member, OutboxMessage, Role, Target
from tests.conftest import make_config
from tests.factories import Federation, add_initiatives, build_federation, link

# 08:00 in Hanoi on Wednesday 25/11/2026 (24/11 is a public holiday, Vietnam Cultural Day).
FIRED = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
# Phase 1: 02/10/2026 – 01/01/2027; sprint 16/11 – 20/12/2026 (see tests/factories.py).
TARGETS = {"DN01": 7, "DN02": 5, "TH01": 8, "TH02": 8}
USERS = {"0900000001": "u1", "0900000002": "u2", "0900000003": "u3", "0900000004": "u4",
         "0900000005": "u5", "0900000006": "u6", "0900000007": "u7", "0900000009": "u9"}
GROUPS = ("DN01", "DN02", "TH01", "TH02")


@dataclass
class World:
    """The app, its memory channel, the federation, and the jobs."""

    app: App
    channel: MemoryChannel
    fed: Federation
    clock: ManualClock

    @property
    def ctx(self) -> JobContext:
        return scheduling.job_context(self.app)

    @property
    def specs(self) -> dict[str, JobSpec]:
        return scheduling.specs(self.app)

    async def fire(self, name: str, at: datetime = FIRED, *, manual: bool = False,
                   ctx: JobContext | None = None) -> Outcome:
        """Fire a job as the scheduler would at `at` (the clock moves there)."""
        self.clock.current = at
        return await fire(ctx or self.ctx, self.specs[name], at, manual=manual)

    def texts(self, chat_id: str) -> list[str]:
        return [m.text for m in self.channel.by_chat.get(chat_id, [])]

    async def rows(self) -> list[OutboxMessage]:
        async with self.app.sessions() as session:
            found = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(found.scalars().all())


async def shape(app: App, fed: Federation) -> None:
    """Targets, initiatives (DN01 6/7 = 86%, DN02 0/5, TH01 9/8, TH02 2/8), groups, accounts."""
    async with unit_of_work(app.sessions) as session:
        for code, target in TARGETS.items():
            await session.execute(update(Target).where(Target.unit_id == fed.units[code].id)
                                  .values(target=target))
        extra = Member(unit_id=fed.units["TH02"].id, name="Bùi Thị Hoa", phone="0900000009",
                       role=Role.MEMBER)
        session.add(extra)
        await session.flush()
        fed.members["0900000009"] = extra
        for code in (*GROUPS, "LDLD-T"):
            await link_chat(session, chat=ChatRef("memory", f"g-{code}", True), unit=fed.units[code])
    await add_initiatives(app, fed, "0900000003", 2, at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    await add_initiatives(app, fed, "0900000003", 1, at=datetime(2026, 11, 24, 4, 0, tzinfo=UTC))
    await add_initiatives(app, fed, "0900000005", 3, at=datetime(2026, 11, 10, 3, 0, tzinfo=UTC))
    await add_initiatives(app, fed, "0900000004", 9, at=datetime(2026, 11, 21, 3, 0, tzinfo=UTC))
    await add_initiatives(app, fed, "0900000009", 2, at=datetime(2026, 10, 21, 3, 0, tzinfo=UTC))
    for phone, user_id in USERS.items():
        await link(app, fed, phone, channel="memory", user_id=user_id)


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    clock = ManualClock(FIRED)
    app = App.create(make_config(db_url), clock=clock, worker_id="w1")
    channel = MemoryChannel()
    app.add_channel(channel)
    fed = await build_federation(app, today=TODAY)
    await shape(app, fed)
    yield World(app, channel, fed, clock)
    await app.close()

"""`housekeeping`: old update claims and expired dialogs go, live drafts stay, once per slot."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.outreach import Planned
from handlers.types import ChatRef
from schedules.context import JobContext, Plan, Slot
from schedules.control import set_paused
from schedules.runner import fire
from storage.models import DialogState, DialogStatus, JobRun, OutboxMessage, ProcessedUpdate
from storage.repositories import updates
from storage.work import begin as begin_work
from tests.fakes.driver import ChatDriver, ChatUser
from tests.integration.jobs.conftest import World

NIGHT = datetime(2026, 11, 25, 20, 15, tzinfo=UTC)  # 03:15 on 26/11 in Hanoi: quiet hours
TITLE = "Cải tiến quy trình nhập kho bằng mã QR"


async def claim(world: World, update_id: str, at: datetime) -> bool:
    async with begin_work(world.app.engine) as work:
        return await updates.claim(work, channel="telegram", update_id=update_id, at=at)


async def claimed(world: World) -> set[str]:
    async with world.app.sessions() as session:
        found = await session.execute(select(ProcessedUpdate.update_id)
                                      .where(ProcessedUpdate.channel == "telegram"))
        return set(found.scalars().all())


async def count(world: World, column: object) -> int:
    async with world.app.sessions() as session:
        return (await session.execute(select(func.count(column)))).scalar_one()


async def begin_draft(world: World, user: ChatUser, at: datetime, *, cancel: bool = False) -> None:
    """Start /sangkien at `at`, answer the title, and (if `cancel`) cancel with /huy."""
    world.clock.current = at
    await user.says("/sangkien")
    assert "Bước 1/6" in await user.next_reply()
    await user.says(TITLE)
    assert "Bước 2/6" in await user.next_reply()
    if cancel:
        await user.says("/huy")
        assert "giữ 7 ngày" in await user.next_reply()


async def test_update_claims_past_the_retention_are_deleted_and_recent_ones_kept(
        world: World) -> None:
    await claim(world, "old", NIGHT - timedelta(days=30))
    await claim(world, "just_past", NIGHT - timedelta(days=14, minutes=1))
    await claim(world, "recent", NIGHT - timedelta(days=13))
    await claim(world, "tonight", NIGHT - timedelta(hours=1))
    outbox = await count(world, OutboxMessage.id)
    outcome = await world.fire("housekeeping", NIGHT)
    assert outcome.state == "done" and outcome.count == 0
    assert outcome.result == {"removed": 2, "processed_updates": 2, "dialog_states": 0,
                              "left_out": 0}
    assert await claimed(world) == {"recent", "tonight"}
    assert not await claim(world, "tonight", NIGHT)  # a redelivery is still dropped
    assert await count(world, OutboxMessage.id) == outbox and world.channel.sent == []
    async with world.app.sessions() as session:
        run = (await session.execute(select(JobRun).where(JobRun.job_name == "housekeeping"))
               ).scalar_one()
    assert run.state == "done" and run.result["processed_updates"] == 2


async def test_expired_dialogs_are_deleted_and_a_live_draft_can_still_be_finished(
        world: World) -> None:
    chat = ChatDriver(world.app)
    lan, thu = await chat.member("0900000003"), await chat.member("0900000004")
    nam, mai = await chat.member("0900000005"), await chat.member("0900000006")
    await begin_draft(world, thu, NIGHT - timedelta(days=8), cancel=True)  # kept until 7 days on
    await begin_draft(world, nam, NIGHT - timedelta(days=7, minutes=1))  # abandoned mid-dialog
    await begin_draft(world, lan, NIGHT - timedelta(days=6, hours=23))  # live for another hour
    await begin_draft(world, mai, NIGHT - timedelta(days=1), cancel=True)  # kept 6 more days
    outcome = await world.fire("housekeeping", NIGHT)
    assert outcome.result["dialog_states"] == 2 and outcome.result["removed"] == 2
    async with world.app.sessions() as session:
        left = (await session.execute(select(DialogState))).scalars().all()
    assert {(s.key, s.status) for s in left} == {
        (f"member:{world.fed.members['0900000003'].id}", DialogStatus.ACTIVE),
        (f"member:{world.fed.members['0900000006'].id}", DialogStatus.CANCELLED)}
    world.clock.current = NIGHT + timedelta(minutes=5)
    await lan.says("4")
    assert "Bước 3/6" in await lan.next_reply()
    await mai.says("/sangkien")
    assert "1. Tiếp tục bản nháp" in await mai.next_reply()
    await thu.says("/sangkien")
    assert "Bước 1/6" in await thu.next_reply()  # the expired draft is gone: a fresh start
    chat.assert_all_read()


async def test_a_second_run_of_the_same_slot_deletes_nothing(world: World) -> None:
    await claim(world, "old", NIGHT - timedelta(days=20))
    first = await world.fire("housekeeping", NIGHT)
    assert first.result["processed_updates"] == 1
    await claim(world, "older", NIGHT - timedelta(days=20))
    again = await world.fire("housekeeping", NIGHT + timedelta(minutes=30))
    assert again.state == "already" and again.result["processed_updates"] == 1
    assert await claimed(world) == {"older"}
    assert await count(world, JobRun.id) == 1
    nightly = await world.fire("housekeeping", NIGHT + timedelta(days=1))
    assert nightly.state == "done" and nightly.result["processed_updates"] == 1
    assert await claimed(world) == set()


async def test_it_runs_on_holidays_but_not_when_paused(world: World) -> None:
    tet = datetime(2027, 2, 5, 20, 15, tzinfo=UTC)  # 03:15 on the first day of Tết Đinh Mùi
    await claim(world, "old", tet - timedelta(days=15))
    assert (await world.fire("housekeeping", tet)).state == "done"
    assert await claimed(world) == set()
    await set_paused(world.ctx, "housekeeping", paused=True, by="test")
    await claim(world, "old", tet - timedelta(days=15))
    outcome = await world.fire("housekeeping", tet + timedelta(days=1))
    assert outcome.state == "skipped" and outcome.reason == "paused"
    assert await claimed(world) == {"old"}


async def test_a_job_that_sends_nothing_fails_and_rolls_back_if_it_plans_a_message(
        world: World) -> None:
    async def rogue(ctx: JobContext, session: AsyncSession, _slot: Slot) -> Plan:
        await updates.delete_older_than(session, ctx.clock.now())
        return Plan([Planned(ChatRef("memory", "u3"), "reminder/off", {"changed": True}, "x")])

    await claim(world, "old", NIGHT - timedelta(days=20))
    spec = dataclasses.replace(world.specs["housekeeping"], func=rogue)
    world.clock.current = NIGHT
    outcome = await fire(world.ctx, spec, NIGHT)
    assert outcome.state == "failed" and outcome.reason == "RuntimeError"
    assert await claimed(world) == {"old"} and world.channel.sent == []


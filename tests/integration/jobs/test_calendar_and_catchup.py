"""Quiet hours, holidays (Tết), pause, catch-up after downtime, and a restart between fire and send."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from schedules.catchup import catch_up
from schedules.control import list_jobs, set_paused
from schedules.scheduler import start_scheduler
from storage.db import unit_of_work
from storage.models import JobRun
from storage.repositories import job_runs
from tests.conftest import end_connections
from tests.integration.jobs.conftest import FIRED, World


async def runs(world: World, name: str) -> list[JobRun]:
    async with world.app.sessions() as session:
        stmt = select(JobRun).where(JobRun.job_name == name).order_by(JobRun.slot)
        return list((await session.execute(stmt)).scalars().all())


async def test_a_slot_in_quiet_hours_sends_nothing_and_is_recorded_skipped(world: World) -> None:
    late = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 22:00 in Hanoi
    outcome = await world.fire("urge_units", late)
    assert outcome.state == "skipped" and outcome.reason == "quiet_hours"
    assert world.channel.sent == [] and await world.rows() == []
    [run] = await runs(world, "urge_units")
    assert run.state == "skipped" and run.result == {"reason": "quiet_hours"}


async def test_a_slot_on_tet_sends_nothing(world: World) -> None:
    tet = datetime(2027, 2, 6, 1, 0, tzinfo=UTC)  # 08:00 on the first day of Tết Đinh Mùi
    outcome = await world.fire("urge_units", tet)
    assert outcome.state == "skipped" and outcome.reason == "holiday"
    assert world.channel.sent == []


async def test_a_shifted_job_in_quiet_hours_holds_its_messages_until_seven(world: World) -> None:
    evening = datetime(2026, 12, 13, 14, 30, tzinfo=UTC)  # 21:30, seven days before the end
    outcome = await world.fire("sprint_countdown", evening)
    assert outcome.state == "shifted" and outcome.count == 5
    assert world.channel.sent == []
    assert await world.app.sender.drain_once() == 0
    world.clock.current = datetime(2026, 12, 14, 0, 0, tzinfo=UTC)  # 07:00
    assert await world.app.sender.drain_once() == 5
    assert "còn 7 ngày" in world.texts("g-DN01")[0]


async def test_shift_never_stacks_holiday_slots_onto_the_next_working_day(world: World) -> None:
    tet = datetime(2027, 2, 6, 1, 0, tzinfo=UTC)
    outcome = await world.fire("sprint_countdown", tet)
    assert outcome.state == "skipped" and outcome.reason == "holiday"


async def test_a_manual_run_ignores_quiet_hours(world: World) -> None:
    late = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    outcome = await world.fire("urge_units", late, manual=True)
    assert outcome.state == "done" and len(world.channel.sent) == 4


async def test_a_paused_job_is_skipped_until_resumed(world: World) -> None:
    await set_paused(world.ctx, "urge_units", paused=True, by="test")
    outcome = await world.fire("urge_units")
    assert outcome.reason == "paused" and world.channel.sent == []
    listed = {j.name: j for j in await list_jobs(world.ctx, world.specs)}
    assert listed["urge_units"].paused and listed["urge_units"].next_run is None
    await set_paused(world.ctx, "urge_units", paused=False, by="test")
    outcome = await world.fire("urge_units", FIRED + timedelta(days=1))
    assert outcome.count == 4


async def record(world: World, name: str, slot: datetime, state: str = "done") -> None:
    async with unit_of_work(world.app.sessions) as session:
        await job_runs.claim(session, {"job_name": name, "slot": slot, "state": state,
                                       "count": 0, "result": {}, "started_at": slot})


async def test_catch_up_runs_a_missed_slot_inside_its_grace_window_once(world: World) -> None:
    await record(world, "urge_units", datetime(2026, 11, 21, 1, 0, tzinfo=UTC))  # Saturday
    now = FIRED + timedelta(minutes=40)
    world.clock.current = now
    specs = [world.specs["urge_units"]]
    outcomes = await catch_up(world.ctx, specs, now=now)
    assert [o.state for o in outcomes] == ["missed", "missed", "done"]  # Mon 23, Tue 24, Wed 25
    assert len(world.channel.sent) == 4
    again = await catch_up(world.ctx, specs, now=now + timedelta(minutes=5))
    assert again == [] and len(world.channel.sent) == 4


async def test_catch_up_records_an_older_slot_as_missed_and_never_sends_it(world: World) -> None:
    await record(world, "urge_units", datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    now = FIRED + timedelta(hours=2)
    world.clock.current = now
    outcomes = await catch_up(world.ctx, [world.specs["urge_units"]], now=now)
    assert [(o.state, o.reason) for o in outcomes] == [("missed", "past_grace")]
    assert world.channel.sent == [] and await world.rows() == []


async def test_a_restart_between_fire_and_send_sends_each_message_once(world: World) -> None:
    silent_ctx = dataclasses.replace(world.ctx, send_now=None)  # the worker dies before sending
    outcome = await world.fire("officer_digest", FIRED, ctx=silent_ctx)
    assert outcome.count == 2 and world.channel.sent == []
    config, clock, channel = world.app.config, world.app.clock, world.channel
    await world.app.close()
    world.app = App.create(config, clock=clock, worker_id="restarted")
    world.app.add_channel(channel)
    again = await world.fire("officer_digest", FIRED + timedelta(minutes=1))
    assert again.state == "already"
    assert await world.app.sender.drain_once() == 2
    assert await world.app.sender.drain_once() == 0
    assert len(world.texts("u2")) == 1 and len(world.texts("u7")) == 1


async def test_a_failed_run_is_recorded_and_the_slot_can_be_retried(world: World) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    spec = dataclasses.replace(world.specs["urge_units"], func=broken)
    from schedules.runner import fire

    failed = await fire(world.ctx, spec, FIRED)
    assert failed.state == "failed" and failed.reason == "RuntimeError"
    retried = await fire(world.ctx, world.specs["urge_units"], FIRED)
    assert retried.state == "done" and retried.count == 4


async def test_a_worker_starting_while_its_connections_are_cut_still_catches_up(
        world: World, db_url: str) -> None:
    # As in the chaos run: the database ends every connection of the worker just as it starts.
    # The catch-up hits a dead connection, runs again on a fresh one, and the scheduler starts.
    if not db_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    await record(world, "urge_units", datetime(2026, 11, 21, 1, 0, tzinfo=UTC))
    world.clock.current = FIRED + timedelta(minutes=40)
    async with world.app.sessions() as session:
        await session.execute(select(1))  # the pool now holds a live connection
    killed = await end_connections(db_url)
    assert killed >= 1
    scheduler = await start_scheduler(world.ctx, [world.specs["urge_units"]])
    try:
        assert scheduler.running
        assert [r.state for r in await runs(world, "urge_units")] == [
            "done", "missed", "missed", "done"]
    finally:
        scheduler.shutdown(wait=False)

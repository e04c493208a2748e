"""The outbox sender: retries, rate limits, gone recipients, migration, crash safety."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from bot.app import App
from handlers.channel import (
    ChatMigrated,
    PermanentSendError,
    RateLimited,
    RecipientGone,
    TransientSendError,
)
from storage.db import counts, unit_of_work
from storage.models import Chat, OutboxMessage
from storage.repositories import outbox
from storage.work import autocommit
from storage.work import begin as begin_work
from tests.fakes.flaky_channel import FlakyChannel


@pytest.fixture
def flaky(app: App) -> FlakyChannel:
    channel = FlakyChannel()
    app.add_channel(channel)
    return channel


async def queue(app: App, key: str, chat_id: str = "c1", text: str = "xin chào") -> int:
    async with unit_of_work(app.sessions) as session:
        row_id = await outbox.add(session, {
            "channel": "flaky", "chat_id": chat_id, "text": text, "choices": [], "dedup_key": key,
            "not_before": app.clock.now(), "created_at": app.clock.now()})
    assert row_id is not None
    return row_id


async def row(app: App, row_id: int) -> OutboxMessage:
    async with app.sessions() as session:
        found = await session.get(OutboxMessage, row_id)
        assert found is not None
        return found


async def test_same_dedup_key_is_queued_once(app: App, flaky: FlakyChannel) -> None:
    await queue(app, "k1")
    async with unit_of_work(app.sessions) as session:
        again = await outbox.add(session, {"channel": "flaky", "chat_id": "c1", "text": "x",
                                           "choices": [], "dedup_key": "k1",
                                           "not_before": app.clock.now()})
    assert again is None
    assert await app.sender.drain_once() == 1
    assert await app.sender.drain_once() == 0
    assert len(flaky.delivered) == 1


async def test_rate_limit_waits_retry_after_then_delivers_once(app: App, flaky: FlakyChannel,
                                                               clock) -> None:
    row_id = await queue(app, "k1")
    flaky.script.append(RateLimited(30))
    assert await app.sender.send_ids([row_id]) == 0
    assert (await row(app, row_id)).status == "pending"
    clock.advance(seconds=29)
    assert await app.sender.drain_once() == 0
    clock.advance(seconds=2)
    assert await app.sender.drain_once() == 1
    found = await row(app, row_id)
    assert (found.status, found.attempts, len(flaky.delivered)) == ("sent", 1, 1)


async def test_transient_errors_back_off_and_give_up_as_failed(app: App, flaky: FlakyChannel,
                                                               clock) -> None:
    row_id = await queue(app, "k1")
    flaky.script.extend(TransientSendError("502") for _ in range(20))
    for _ in range(app.config.outbox.max_attempts):
        await app.sender.drain_once()
        clock.advance(seconds=app.config.outbox.backoff_max_seconds * 2)
    found = await row(app, row_id)
    assert (found.status, found.attempts, found.last_error) == (
        "failed", app.config.outbox.max_attempts, "502")


async def test_blocked_recipient_is_marked_gone_with_its_chat(app: App, flaky: FlakyChannel) -> None:
    async with unit_of_work(app.sessions) as session:
        session.add(Chat(channel="flaky", chat_id="c1"))
    row_id = await queue(app, "k1")
    flaky.script.append(RecipientGone("Forbidden: bot was blocked by the user"))
    await app.sender.send_ids([row_id])
    assert (await row(app, row_id)).status == "gone"
    async with app.sessions() as session:
        chat = (await session.execute(select(Chat))).scalar_one()
    assert chat.reachable is False


async def test_bad_request_is_failed_with_the_reason(app: App, flaky: FlakyChannel) -> None:
    row_id = await queue(app, "k1")
    flaky.script.append(PermanentSendError("Bad Request: message is too long"))
    await app.sender.send_ids([row_id])
    found = await row(app, row_id)
    assert (found.status, found.last_error) == ("failed", "Bad Request: message is too long")


async def test_migrated_group_gets_its_new_id_and_the_message(app: App, flaky: FlakyChannel) -> None:
    async with unit_of_work(app.sessions) as session:
        session.add(Chat(channel="flaky", chat_id="-100", is_group=True))
    row_id = await queue(app, "k1", chat_id="-100")
    flaky.script.append(ChatMigrated("-1009"))
    await app.sender.send_ids([row_id])
    await app.sender.drain_once()
    assert [m.chat.chat_id for m in flaky.delivered] == ["-1009"]
    async with app.sessions() as session:
        assert (await session.execute(select(Chat.chat_id))).scalar_one() == "-1009"


async def test_row_left_sending_by_a_crash_becomes_uncertain_not_resent(
        app: App, flaky: FlakyChannel, clock) -> None:
    row_id = await queue(app, "k1")
    async with unit_of_work(app.sessions) as session:
        await outbox.claim(session, ids=[row_id], worker="dead", now=clock.now(),
                           channels=["flaky"])
    async with begin_work(app.engine) as work:
        assert await outbox.start_sending(work, [row_id], worker="dead", now=clock.now())
    clock.advance(seconds=app.config.outbox.sending_lease_seconds + 1)
    assert await app.sender.flag_stale() == [row_id]
    assert await app.sender.drain_once() == 0
    assert (await row(app, row_id)).status == "uncertain"
    assert flaky.calls == 0


async def test_row_claimed_by_a_crashed_worker_but_never_tried_is_sent_by_another(
        app: App, flaky: FlakyChannel, clock) -> None:
    row_id = await queue(app, "k1")
    async with unit_of_work(app.sessions) as session:
        await outbox.claim(session, ids=[row_id], worker="dead", now=clock.now(),
                           channels=["flaky"])
    assert await app.sender.drain_once() == 0  # claimed, within its lease: left alone
    clock.advance(seconds=app.config.outbox.sending_lease_seconds + 1)
    assert await app.sender.flag_stale() == []
    assert await app.sender.drain_once() == 1
    sent = await row(app, row_id)
    assert (sent.status, sent.attempts, flaky.calls) == ("sent", 1, 1)


async def test_a_claim_taken_back_after_its_lease_is_not_sent_by_its_first_worker(
        app: App, flaky: FlakyChannel, clock) -> None:
    # A worker held a claimed row past the lease (a long queue ahead of it); meanwhile the row
    # went back to pending and another worker claimed it. The first must not send it too.
    row_id = await queue(app, "k1")
    async with unit_of_work(app.sessions) as session:
        await outbox.claim(session, ids=[row_id], worker="slow", now=clock.now(),
                           channels=["flaky"])
    clock.advance(seconds=app.config.outbox.sending_lease_seconds + 1)
    await app.sender.flag_stale()
    async with unit_of_work(app.sessions) as session:
        await outbox.claim(session, ids=[row_id], worker="other", now=clock.now(),
                           channels=["flaky"])
    async with begin_work(app.engine) as work:
        assert not await outbox.start_sending(work, [row_id], worker="slow", now=clock.now())
        assert await outbox.start_sending(work, [row_id], worker="other", now=clock.now())


async def test_a_wave_of_marks_is_one_statement_on_postgresql(app: App, clock) -> None:
    # The sender's marks on PostgreSQL: the delivered row becomes `sent`, this worker's claimed
    # row `sending`; a row another worker claimed is left alone and not returned.
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite marks a wave in one short transaction")
    delivered, mine, theirs = [await queue(app, key) for key in ("k1", "k2", "k3")]
    async with unit_of_work(app.sessions) as session:
        for row_id, worker in ((delivered, "w1"), (mine, "w1"), (theirs, "w2")):
            await outbox.claim(session, ids=[row_id], worker=worker, now=clock.now(),
                               channels=["flaky"])
    async with begin_work(app.engine) as work:
        assert await outbox.start_sending(work, [delivered], worker="w1", now=clock.now())
    statements = counts(app.engine).statements
    async with autocommit(app.engine) as conn:
        started = await outbox.mark_wave(conn, [(delivered, "77")], [mine, theirs], worker="w1",
                                         now=clock.now())
    assert started == {mine}
    assert counts(app.engine).statements == statements + 1
    found = {r: await row(app, r) for r in (delivered, mine, theirs)}
    assert (found[delivered].status, found[delivered].platform_message_id) == ("sent", "77")
    assert found[delivered].sent_at is not None
    assert (found[mine].status, found[theirs].status) == ("sending", "claimed")


async def test_only_a_wave_of_sent_marks_commits_without_waiting_for_the_disk(app: App,
                                                                               clock) -> None:
    # A lost `sent` mark leaves a row `sending` (then `uncertain`, never resent): its commit may
    # skip the WAL flush. A `sending` mark must be on disk before the call. Each wave runs here in
    # a transaction of its own, so the setting it made for its commit can be read before the end.
    if app.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    delivered, starting = [await queue(app, key) for key in ("k1", "k2")]
    async with unit_of_work(app.sessions) as session:
        await outbox.claim(session, ids=[delivered, starting], worker="w1", now=clock.now(),
                           channels=["flaky"])

    async def durability(sent: list[tuple[int, str]], started: list[int]) -> str:
        async with autocommit(app.engine) as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            transaction = driver.transaction()
            await transaction.start()
            try:
                await outbox.mark_wave(conn, sent, started, worker="w1", now=clock.now())
                return await driver.fetchval("SHOW synchronous_commit")
            finally:
                await transaction.rollback()

    assert await durability([(delivered, "77")], []) == "off"
    assert await durability([(delivered, "77")], [starting]) == "on"
    assert await durability([], [starting]) == "on"


async def test_each_message_is_recorded_sent_right_after_its_call(app: App, clock) -> None:
    # While the second message of a batch is on its way, the first is already recorded `sent`:
    # a crash then leaves at most the one in flight uncertain.
    seen: list[str] = []

    class Watching(FlakyChannel):
        async def send(self, message):  # type: ignore[no-untyped-def]
            async with app.sessions() as session:
                statuses = (await session.execute(
                    select(OutboxMessage.status).order_by(OutboxMessage.id))).scalars().all()
            seen.append(",".join(statuses))
            return await super().send(message)

    app.add_channel(Watching())
    await queue(app, "k1", chat_id="c1")
    await queue(app, "k2", chat_id="c1")
    assert await app.sender.drain_once() == 2
    assert seen == ["sending,claimed", "sent,sending"]


async def test_a_waiting_message_holds_back_later_ones_to_the_same_chat(
        app: App, flaky: FlakyChannel, clock) -> None:
    first = await queue(app, "k1", text="một")
    await queue(app, "k2", text="hai")
    await queue(app, "k3", chat_id="c2", text="khác")
    flaky.script.append(RateLimited(5))
    assert await app.sender.drain_once() == 1
    clock.advance(seconds=6)
    assert await app.sender.drain_once() == 2
    assert [m.text for m in flaky.delivered] == ["khác", "một", "hai"]
    assert (await row(app, first)).attempts == 1


async def test_rows_of_channels_this_worker_does_not_serve_are_left_alone(app: App) -> None:
    await queue(app, "k1")
    assert await app.sender.drain_once() == 0
    async with app.sessions() as session:
        status = (await session.execute(select(OutboxMessage.status))).scalar_one()
    assert status == "pending"


async def test_future_rows_wait_for_their_time(app: App, flaky: FlakyChannel, clock) -> None:
    row_id = await queue(app, "k1")
    async with unit_of_work(app.sessions) as session:
        await session.execute(update(OutboxMessage).values(
            not_before=clock.now() + timedelta(hours=1)))
    assert await app.sender.send_ids([row_id]) == 0
    clock.advance(hours=1)
    assert await app.sender.drain_once() == 1


async def test_the_sender_loop_outlives_a_database_error(app: App, flaky: FlakyChannel) -> None:
    # The outbox table goes away (as in an outage) while the loop runs, then comes back: the loop
    # logs the errors, keeps going, and sends the row once the table answers again.
    row_id = await queue(app, "k1")
    async with app.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE outbox RENAME TO outbox_away"))
    stop = asyncio.Event()
    task = asyncio.create_task(app.sender.run(stop))
    try:
        await asyncio.sleep(3 * app.config.outbox.drain_interval_seconds)
        assert not task.done() and flaky.calls == 0
        async with app.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE outbox_away RENAME TO outbox"))
        for _ in range(100):
            if flaky.delivered:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
    assert [m.outbox_id for m in flaky.delivered] == [row_id]
    assert (await row(app, row_id)).status == "sent"



async def test_an_idle_sender_backs_off_and_wakes_for_a_postponed_row(app: App, clock) -> None:
    # Empty rounds double the wait from drain_interval_seconds up to idle_max_seconds; a row put
    # back for later shortens the wait to its due time.
    sender, settings = app.sender, app.config.outbox
    waits = [sender._idle_seconds(rounds) for rounds in range(1, 8)]
    base = settings.drain_interval_seconds
    assert waits[:3] == [base, 2 * base, 4 * base]
    assert waits[-1] == settings.idle_max_seconds and waits == sorted(waits)
    sender.outcomes.next_due = clock.now() + timedelta(seconds=0.5)
    assert sender._idle_seconds(7) == pytest.approx(0.5)
    assert sender._idle_seconds(7) == settings.idle_max_seconds  # used once, then forgotten


async def test_a_retry_wakes_the_idle_sender_when_it_falls_due(app: App, flaky: FlakyChannel,
                                                               clock) -> None:
    # A transient failure puts the row back for later: the idle sender must not sleep past it.
    flaky.script.append(TransientSendError("502 Bad Gateway"))
    row_id = await queue(app, "k1")
    assert await app.sender.send_ids([row_id]) == 0
    due = app.sender.outcomes.next_due
    assert due is not None and due > clock.now()
    assert app.sender._idle_seconds(10) <= (due - clock.now()).total_seconds()

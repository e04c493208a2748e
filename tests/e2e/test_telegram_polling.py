"""Polling mode: nothing pending is dropped, an update is confirmed only once handled, 409 and 401
are reported clearly, and an idle bot does not spin.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time

import pytest
from telegram import Bot

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_harness import TelegramBot, running_bot, telegram_config


async def test_updates_waiting_before_start_are_all_answered(sqlite_url: str) -> None:
    fake = await FakeTelegram().start()
    waiting = [fake.new_update("message", {
        "message_id": n, "date": 0, "chat": fake.add_chat(950 + n), "text": "/trogiup",
        "from": {"id": 950 + n, "is_bot": False, "first_name": "Ba"}}) for n in range(3)]
    for update in waiting:
        await fake.deliver(update)
    await fake.close()
    async with running_bot(sqlite_url, fake=fake) as tg:
        assert not tg.fake.calls_of("deleteWebhook")[0].get("drop_pending_updates")
        for n in range(3):
            await tg.fake.next_message(950 + n)
        await tg.fake.wait_until_confirmed()


async def test_an_update_is_confirmed_only_once_its_transaction_committed(
        sqlite_url: str) -> None:
    async with running_bot(sqlite_url) as tg:
        await tg.fake.wait_for_poll()
        path = sqlite_url.split(":///", 1)[1]
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the database: nothing commits
        try:
            await tg.user(960).says("/trogiup")
            await asyncio.sleep(1.5)
            assert tg.fake.pending_updates() == 1, "confirmed before it was committed"
            assert not tg.fake.unread(960)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await tg.fake.next_message(960)
        await tg.fake.wait_until_confirmed()


async def test_crash_after_handling_before_confirming_gives_no_second_reply(
        sqlite_url: str) -> None:
    async with running_bot(sqlite_url) as tg:
        await tg.fake.wait_for_poll()  # the poll in flight gets the update; the next ones fail
        tg.fake.fail_next("getUpdates", status=502, count=50)  # the confirming call fails
        await tg.user(970).says("/trogiup")
        await tg.fake.next_message(970)
        await asyncio.sleep(0.2)
        assert tg.fake.pending_updates() == 1
        await crash(tg)
        tg.fake.faults.clear()
        await tg.start()
        await tg.fake.wait_until_confirmed()
        await asyncio.sleep(0.2)
        assert not tg.fake.unread(970)


async def test_another_poller_is_reported_as_a_conflict_and_retried(
        sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with running_bot(sqlite_url) as tg:
        await asyncio.sleep(0.2)
        intruder = Bot(tg.fake.token, base_url=tg.fake.base_url)
        async with intruder:
            with caplog.at_level(logging.ERROR), contextlib.suppress(Exception):
                await intruder.get_updates(timeout=1)
        assert any("conflict" in r.getMessage() and "another instance" in r.getMessage()
                   for r in caplog.records)
        await tg.user(980).says("/trogiup")
        await tg.fake.next_message(980, wait=10)


async def test_refused_token_stops_with_a_clear_log_without_the_token(
        sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    fake = await FakeTelegram().start()
    bot = TelegramBot(fake, telegram_config(sqlite_url, fake, token="42:refused-token-value"))
    with caplog.at_level(logging.INFO):
        await bot.start()
        await asyncio.wait_for(bot._stop.wait(), 5)
        await bot.stop()
    await fake.close()
    # httpx logs URLs at INFO; `sangkien run` sets it to WARNING (see test_telegram_run.py).
    messages = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert any("refused the bot token" in m for m in messages)
    assert not any("refused-token-value" in m for m in messages)


async def test_an_idle_bot_uses_almost_no_cpu(sqlite_url: str) -> None:
    async with running_bot(sqlite_url) as tg:
        await asyncio.sleep(0.5)
        polls, cpu = len(tg.fake.calls_of("getUpdates")), time.process_time()
        await asyncio.sleep(3)
        used = time.process_time() - cpu
        polls = len(tg.fake.calls_of("getUpdates")) - polls
    assert used < 0.3, f"{used:.2f}s of CPU in 3s idle"
    assert polls <= 3, f"{polls} polls in 3s with a 2s long-poll timeout"


async def test_stopping_confirms_what_was_handled(sqlite_url: str) -> None:
    async with running_bot(sqlite_url) as tg:
        await tg.user(990).says("/trogiup")
        await tg.fake.next_message(990)
        await tg.stop()
        assert tg.fake.pending_updates() == 0


async def crash(tg: TelegramBot) -> None:
    """Kill the bot's tasks abruptly, as a crash would (nothing graceful runs)."""
    for task in tg._tasks:
        task.cancel()
    for task in tg._tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert tg.platform is not None and tg.app is not None and tg._runner is not None
    await tg.platform.application.bot.shutdown()
    await tg._runner.cleanup()
    await tg.app.close()


async def test_a_failed_update_is_fetched_again_and_the_rest_of_its_batch_too(
        sqlite_url: str) -> None:
    from bot.channels.telegram.polling import Backoff, Poller

    fake = await FakeTelegram().start()
    handled: list[int] = []
    failures = {100002: 1}

    async def process(update) -> None:
        if failures.get(update.update_id):
            failures[update.update_id] -= 1
            raise RuntimeError("database went away")
        handled.append(update.update_id)

    for n in range(3):
        await tg_user_says(fake, 2000 + n)
    bot = Bot(fake.token, base_url=fake.base_url)
    stop = asyncio.Event()
    async with bot:
        poller = Poller(bot, process, timeout=1, backoff=Backoff(base=0.05))
        task = asyncio.create_task(poller.run(stop))
        await fake.wait_until_confirmed()
        stop.set()
        await task
    await fake.close()
    # 100003 (another chat) was handled beside the failure and comes back with it: the router's
    # claim on its id makes that repeat a no-op. 100001, before the failure, is confirmed.
    assert sorted(handled) == [100001, 100002, 100003, 100003]


async def tg_user_says(fake: FakeTelegram, user_id: int) -> None:
    from tests.fakes.telegram_people import TgUser

    await TgUser(fake, user_id).says("/trogiup")


async def test_a_chats_updates_in_one_batch_are_handled_in_order(sqlite_url: str) -> None:
    from tests.factories import link

    async with running_bot(sqlite_url) as tg:
        await link(tg.app, tg.federation, "0900000003", channel="telegram", user_id="2100")
        await tg.stop()
        lan, other = tg.user(2100), tg.user(2101)
        for text in ("/sangkien", "Cải tiến quy trình nhập kho", "4"):
            await lan.says(text)
            await other.says("/trogiup")
        await tg.start()
        steps = [(await tg.fake.next_message(2100)).text[:9] for _ in range(3)]
        assert steps == ["Bước 1/6.", "Bước 2/6.", "Bước 3/6."]
        for _ in range(3):
            await tg.fake.next_message(2101)


async def test_the_poller_takes_as_many_chats_at_once_as_the_pool_keeps_connections_for(
        sqlite_url: str) -> None:
    from bot.app import App
    from bot.channels.telegram.polling import Poller
    from bot.config import load_config

    app = App.create(load_config(env={"SANGKIEN__DATABASE__URL": sqlite_url,
                                      "SANGKIEN__DATABASE__POOL_SIZE": "4"}))
    lanes = app.gateway.lanes
    await app.close()
    assert lanes == 2  # half the pool: the other half serves bookings, marks and pages
    fake = await FakeTelegram().start()
    busy, most, handled = 0, 0, []

    async def process(update) -> None:
        nonlocal busy, most
        busy += 1
        most = max(most, busy)
        await asyncio.sleep(0.05)
        busy -= 1
        handled.append(update.update_id)

    for n in range(5):
        await tg_user_says(fake, 2200 + n)
    stop = asyncio.Event()
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        task = asyncio.create_task(Poller(bot, process, timeout=1, parallel=lanes).run(stop))
        await fake.wait_until_confirmed()
        stop.set()
        await task
    await fake.close()
    assert len(handled) == 5
    assert most == lanes

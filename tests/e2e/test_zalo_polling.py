"""Long polling against the fake Zalo server: idle 408s, one poller per token, 401, errors."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from bot.channels.memory import MemoryChannel
from handlers.channel import ChannelPaused
from handlers.types import ChatRef, Outbound
from tests.factories import Federation, link

USER = "6ede9afa66b88fe6d6a9"


async def idle_for(seconds: float) -> tuple[float, float]:
    """Let the bot idle; return (CPU seconds of this whole process, wall seconds)."""
    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    return time.process_time() - cpu, time.monotonic() - wall


async def test_idle_polls_loop_at_once_without_spinning_the_cpu(start_zalo, fake_zalo) -> None:
    bot = await start_zalo("polling")
    await asyncio.sleep(0.4)
    before = fake_zalo.calls["getUpdates"]
    cpu, wall = await idle_for(1.5)
    polls = fake_zalo.calls["getUpdates"] - before
    # Each idle poll waits 0.3 s on the server, then the next starts at once: about 5 polls.
    assert 3 <= polls <= wall / 0.3 + 2
    assert cpu < 0.25 * wall, f"{cpu:.3f}s CPU in {wall:.2f}s idle"
    assert bot.platform.poller is not None and bot.platform.poller.failures == 0


async def test_a_server_answering_408_at_once_does_not_make_the_poller_spin(
        start_zalo, fake_zalo) -> None:
    fake_zalo.idle_timeout = 0
    await start_zalo("polling")
    await asyncio.sleep(0.3)
    before = fake_zalo.calls["getUpdates"]
    cpu, wall = await idle_for(1.0)
    assert fake_zalo.calls["getUpdates"] - before <= wall / 0.25 + 2
    assert cpu < 0.25 * wall


async def test_a_refused_token_stops_polling_and_tells_staff_on_their_other_channel(
        start_zalo, fake_zalo, federation: Federation) -> None:
    memory = MemoryChannel()
    bot = await start_zalo("polling", memory=memory)
    await link(bot.app, federation, "0900000001", channel="memory", user_id="staff-ha")
    fake_zalo.token = "999:reset-in-bot-creator"  # the token was reset: ours is now refused
    await asyncio.wait_for(bot.task, 5)
    polls = fake_zalo.calls["getUpdates"]
    await asyncio.sleep(0.5)
    assert fake_zalo.calls["getUpdates"] == polls and bot.platform.refused
    assert await bot.app.sender.drain_once() == 1
    [notice] = memory.by_chat["staff-ha"]
    assert "401" in notice.text and "SANGKIEN__ZALO__TOKEN" in notice.text
    assert fake_zalo.token not in notice.text and bot.app.config.zalo.token not in notice.text


async def test_a_token_refused_at_start_up_never_polls(start_zalo, fake_zalo) -> None:
    bot = await start_zalo("polling", token="999:not-this-bot")
    await asyncio.sleep(0.3)
    assert bot.platform.refused and not bot.task.done()  # idles until stopped, polls nothing
    assert fake_zalo.calls["getUpdates"] == 0


async def test_sends_pause_while_the_token_is_refused(start_zalo, fake_zalo, clock) -> None:
    bot = await start_zalo("polling")
    until = await bot.platform.token_refused()
    assert until > clock.now()
    with pytest.raises(ChannelPaused) as paused:
        await bot.platform.channel.send(Outbound(ChatRef("zalo", USER), "xin chào"))
    assert paused.value.until == until and fake_zalo.calls["sendMessage"] == 0


async def test_only_one_process_polls_a_token_and_every_message_is_answered_once(
        start_zalo, fake_zalo) -> None:
    first = await start_zalo("polling")
    second = await start_zalo("polling")
    await asyncio.sleep(0.5)
    lan = first.person(USER)
    for _ in range(4):
        await lan.says("/trogiup")
        assert "Trợ giúp" in await lan.next_reply()
    await asyncio.sleep(0.3)
    lan.no_reply()
    polls = sorted(bot.platform.poller.polls for bot in (first, second))
    assert polls[0] == 0 and polls[1] > 0


async def test_server_errors_back_off_then_polling_recovers(start_zalo, fake_zalo) -> None:
    bot = await start_zalo("polling")
    fake_zalo.fail_next.extend([500, 403, 502])
    await asyncio.sleep(0.1)
    lan = bot.person(USER)
    await lan.says("/start")
    assert "Chương trình" in await lan.next_reply()
    await lan.next_reply()
    assert not fake_zalo.fail_next and bot.platform.poller.failures == 0


async def test_polling_outlives_a_database_outage(start_zalo, fake_zalo) -> None:
    # The database loses a table the router needs: the update in hand cannot be handled (nor
    # the apology stored), which used to end the poll loop for good. Now it backs off and
    # answers the next message once the database is back.
    bot = await start_zalo("polling")
    lan = bot.person(USER)
    async with bot.app.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE processed_updates RENAME TO processed_away"))
    await lan.says("/trogiup")
    for _ in range(100):
        if bot.platform.poller.failures:
            break
        await asyncio.sleep(0.05)
    assert bot.platform.poller.failures == 1
    async with bot.app.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE processed_away RENAME TO processed_updates"))
    await lan.says("/trogiup")
    assert "Trợ giúp" in await lan.next_reply()
    lan.no_reply()

"""Group chats on Telegram: /cmd@BotName, /lienket, the bot removed, a group that migrates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from storage.models import Chat
from tests.factories import link
from tests.fakes.telegram_harness import TelegramBot, running_bot
from tests.fakes.telegram_people import TgUser, migrate_group

GROUP = -1001234567890


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[TelegramBot]:
    async with running_bot(sqlite_url, request.param) as bot:
        yield bot


async def officer_in(tg: TelegramBot, group: int, title: str = "CĐ Tổ 1") -> TgUser:
    assert tg.app is not None and tg.federation is not None
    await link(tg.app, tg.federation, "0900000002", channel="telegram", user_id="701")
    return tg.user(701, "Minh").in_group(group, title)


async def chat_rows(tg: TelegramBot) -> list[Chat]:
    assert tg.app is not None
    async with tg.app.sessions() as session:
        return list((await session.execute(select(Chat).order_by(Chat.id))).scalars())


async def settled(tg: TelegramBot) -> None:
    """Wait until polled updates are confirmed (webhook updates are handled on delivery)."""
    await tg.fake.wait_until_confirmed()
    await asyncio.sleep(0.05)


async def test_officer_links_a_group_with_lienket_addressed_to_the_bot(tg: TelegramBot) -> None:
    minh = await officer_in(tg, GROUP, "CĐ <Tổ 1> & bạn")
    await minh.says("/lienket@fake_bot DN01")
    linked = await tg.fake.next_message(GROUP)
    assert "Đã liên kết nhóm này với Công ty May Sông Hồng (DN01)" in linked.text
    [row] = await chat_rows(tg)
    assert (row.chat_id, row.is_group, row.title) == (str(GROUP), True, "CĐ <Tổ 1> & bạn")
    assert row.unit_id == tg.federation.units["DN01"].id


async def test_command_addressed_to_another_bot_is_ignored(tg: TelegramBot) -> None:
    minh = await officer_in(tg, GROUP)
    await minh.says("/tiendo@other_bot")
    await minh.says("/tiendo@Fake_Bot")
    progress = await tg.fake.next_message(GROUP)
    assert "DN01" in progress.text or "Công ty May" in progress.text
    await settled(tg)
    assert not tg.fake.unread(GROUP)


async def test_group_chatter_not_for_the_bot_gets_no_answer(tg: TelegramBot) -> None:
    minh = await officer_in(tg, GROUP)
    await minh.says("Chiều nay họp tổ nhé mọi người")
    await settled(tg)
    assert not tg.fake.unread(GROUP)
    await minh.says("@fake_bot xin chào")
    assert "bạn muốn làm gì" in (await tg.fake.next_message(GROUP)).text


async def test_bot_removed_from_a_group_marks_it_unreachable_and_added_back_reachable(
        tg: TelegramBot) -> None:
    minh = await officer_in(tg, GROUP)
    await minh.says("/lienket DN01")
    await tg.fake.next_message(GROUP)
    await minh.removes_bot_from_group()
    await settled(tg)
    assert [r.reachable for r in await chat_rows(tg)] == [False]
    await minh.send("my_chat_member", minh._membership("left", "member"))
    await settled(tg)
    assert [r.reachable for r in await chat_rows(tg)] == [True]


async def test_group_upgraded_to_a_supergroup_keeps_its_unit_under_the_new_id(
        tg: TelegramBot) -> None:
    minh = await officer_in(tg, -4001)
    await minh.says("/lienket DN01")
    await tg.fake.next_message(-4001)
    await migrate_group(tg.fake, minh, -4001, -1004001)
    await settled(tg)
    [row] = await chat_rows(tg)
    assert (row.chat_id, row.unit_id) == ("-1004001", tg.federation.units["DN01"].id)

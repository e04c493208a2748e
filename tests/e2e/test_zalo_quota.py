"""Zalo's monthly quota: 429 "Quota exceeded" pauses sends, keeps the rows, and tells staff."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.channels.memory import MemoryChannel
from storage.db import unit_of_work
from storage.models import ChannelPause, OutboxMessage, Priority
from storage.repositories import outbox
from tests.factories import Federation, link

USER = "6ede9afa66b88fe6d6a9"


async def zalo_rows(bot) -> list[OutboxMessage]:
    async with bot.app.sessions() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.channel == "zalo").order_by(OutboxMessage.id)
        return list((await session.execute(stmt)).scalars().all())


async def setup(start_zalo, federation: Federation, **settings):
    memory = MemoryChannel()
    bot = await start_zalo("webhook", memory=memory, **settings)
    await link(bot.app, federation, "0900000001", channel="memory", user_id="staff-ha")
    await link(bot.app, federation, "0900000003", channel="zalo", user_id=USER)
    return bot, memory


async def test_quota_exceeded_pauses_zalo_keeps_the_rows_and_tells_staff(
        start_zalo, federation, clock) -> None:
    bot, memory = await setup(start_zalo, federation, quota_pause_minutes=60)
    lan = bot.person(USER)
    bot.fake.quota_exceeded = True
    await lan.says("/tiendo")
    await lan.says("/cuatoi")
    rows = await zalo_rows(bot)
    assert [r.status for r in rows] == ["pending", "pending"]
    assert bot.fake.calls["sendMessage"] == 1  # the second reply waited without calling Zalo
    assert await bot.app.sender.drain_once() == 1
    [notice] = memory.by_chat["staff-ha"]
    assert "Quota exceeded" in notice.text and "đã gửi 0/3.000 tin" in notice.text
    assert "1 tin đang chờ" in notice.text
    assert "sangkien zalo resume" in notice.text
    bot.fake.quota_exceeded = False
    clock.advance(minutes=61)
    assert await bot.app.sender.drain_once() == 2
    assert "Tiến độ" in await lan.next_reply()
    assert "chưa có sáng kiến" in await lan.next_reply()


async def test_with_no_pause_configured_zalo_waits_for_the_next_month(start_zalo, federation,
                                                                     clock) -> None:
    bot, memory = await setup(start_zalo, federation, quota_pause_minutes=0)
    bot.fake.quota_exceeded = True
    await bot.person(USER).says("/tiendo")
    async with bot.app.sessions() as session:
        pause = await session.get(ChannelPause, "zalo")
    # 1 December 2026, 00:00 in Hanoi.
    assert pause.until == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    [row] = await zalo_rows(bot)
    assert (row.status, row.not_before, row.attempts) == ("pending", pause.until, 0)
    await bot.app.sender.drain_once()
    notice = memory.by_chat["staff-ha"][0].text
    assert "tháng 11/2026" in notice and "đến 00:00 ngày 01/12/2026" in notice
    bot.fake.quota_exceeded = False
    clock.current = datetime(2026, 11, 30, 17, 0, 1, tzinfo=UTC)
    assert await bot.app.sender.drain_once() == 1
    assert "Tiến độ" in await bot.person(USER).next_reply()


async def test_a_reply_to_someone_who_just_wrote_goes_before_queued_outreach(
        start_zalo, federation, clock) -> None:
    bot, _ = await setup(start_zalo, federation)
    async with unit_of_work(bot.app.sessions) as session:
        await outbox.add(session, {
            "channel": "zalo", "chat_id": USER, "text": "Nhắc: đơn vị còn 14 sáng kiến nữa.",
            "choices": [], "dedup_key": "outreach:test", "priority": Priority.OUTREACH,
            "not_before": clock.now(), "created_at": clock.now()})
    bot.fake.quota_exceeded = True
    await bot.person(USER).says("/tiendo")  # paused: both rows wait
    bot.fake.quota_exceeded = False
    clock.advance(days=1)
    assert await bot.app.sender.drain_once() == 3  # the two Zalo rows and the staff notice
    first, second = bot.fake.to_chat(USER)
    assert "Tiến độ" in first.text and "Nhắc" in second.text
    await bot.person(USER).next_reply()
    await bot.person(USER).next_reply()

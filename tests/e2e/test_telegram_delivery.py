"""The outbox through python-telegram-bot: flood control, blocked users, migration, long texts,
files, outages. Each message is delivered once or kept with the reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from handlers.types import utf16_len
from storage.db import unit_of_work
from storage.models import Chat, OutboxMessage, Priority
from storage.repositories import outbox
from tests.factories import link
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_harness import TelegramBot, running_bot

# PTB's own RetryAfter warns about a future type change; the adapter handles both types.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*")


@pytest.fixture
async def tg(db_url: str) -> AsyncIterator[TelegramBot]:
    async with running_bot(db_url) as bot:
        yield bot


async def queue(tg: TelegramBot, chat_id: int, text: str, *, key: str, is_group: bool = False,
                **row: Any) -> int:
    assert tg.app is not None
    now = tg.app.clock.now()
    async with unit_of_work(tg.app.sessions) as session:
        row_id = await outbox.add(session, {
            "channel": "telegram", "chat_id": str(chat_id), "is_group": is_group, "text": text,
            "choices": [], "dedup_key": key, "priority": Priority.NOTICE, "not_before": now,
            "created_at": now, **row})
    assert row_id is not None
    return row_id


async def settle(tg: TelegramBot, row_id: int, *, wait: float = 10) -> OutboxMessage:
    """Wait until the sender is done with a row (not pending, claimed or sending)."""
    assert tg.app is not None
    deadline = time.monotonic() + wait
    while True:
        async with tg.app.sessions() as session:
            found = await session.get(OutboxMessage, row_id)
            assert found is not None
            if found.status not in ("pending", "claimed", "sending") or time.monotonic() > deadline:
                return found
        await asyncio.sleep(0.05)


async def test_429_is_honoured_and_the_message_delivered_once(tg: TelegramBot) -> None:
    tg.fake.add_chat(801)
    tg.fake.rate_limit_next(1, chat_id=801)
    row_id = await queue(tg, 801, "Nhắc việc", key="k429")
    message = await tg.fake.next_message(801, wait=5)
    first, second = tg.fake.call_times("sendMessage")
    assert second - first >= 1.0 and message.text == "Nhắc việc"
    found = await settle(tg, row_id)
    assert (found.status, found.attempts) == ("sent", 1)
    assert tg.fake.errors == {429: 1} and len(tg.fake.unread_all(801)) == 1


async def test_blocked_user_is_marked_gone_and_the_chat_unreachable(tg: TelegramBot) -> None:
    assert tg.app is not None and tg.federation is not None
    await link(tg.app, tg.federation, "0900000003", channel="telegram", user_id="802")
    lan = tg.user(802)
    await lan.blocks_bot()
    await tg.fake.wait_until_confirmed()
    row_id = await queue(tg, 802, "Nhắc việc", key="kblock")
    found = await settle(tg, row_id)
    assert (found.status, found.last_error) == ("gone", "Forbidden: bot was blocked by the user")
    async with tg.app.sessions() as session:
        chat = (await session.execute(select(Chat))).scalar_one()
    assert (chat.chat_id, chat.reachable) == ("802", False)
    assert tg.fake.calls_of("sendMessage") and not tg.fake.sent


async def test_unknown_chat_is_gone_not_retried(tg: TelegramBot) -> None:
    row_id = await queue(tg, 803, "Xin chào", key="knf")
    found = await settle(tg, row_id)
    assert (found.status, found.last_error) == ("gone", "Chat not found")
    assert len(tg.fake.calls_of("sendMessage")) == 1


async def test_send_to_a_migrated_group_goes_to_its_new_id_once(tg: TelegramBot) -> None:
    tg.fake.add_chat(-4002, kind="group")
    tg.fake.add_chat(-1004002, kind="supergroup")
    tg.fake.migrated[-4002] = -1004002
    assert tg.app is not None
    async with unit_of_work(tg.app.sessions) as session:
        session.add(Chat(channel="telegram", chat_id="-4002", is_group=True, title="Tổ 2"))
    row_id = await queue(tg, -4002, "Thông báo", key="kmig", is_group=True)
    assert (await tg.fake.next_message(-1004002)).text == "Thông báo"
    assert (await settle(tg, row_id)).chat_id == "-1004002"
    async with tg.app.sessions() as session:
        assert (await session.execute(select(Chat.chat_id))).scalar_one() == "-1004002"


async def test_a_message_over_4096_is_split_in_order_on_line_boundaries(tg: TelegramBot) -> None:
    tg.fake.add_chat(804)
    lines = [f"{n}. Đoàn viên Nguyễn Văn Số {n} &amp; tổ sản xuất <b>{n}</b>" for n in range(1, 301)]
    row_id = await queue(tg, 804, "\n".join(lines), key="klong", choices=["Có", "Không"])
    assert (await settle(tg, row_id)).status == "sent"
    parts = [await tg.fake.next_message(804) for _ in tg.fake.unread(804)]
    assert len(parts) == 5 and all(utf16_len(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts).split("\n") == [
        line.replace("&amp;", "&").replace("<b>", "").replace("</b>", "") for line in lines]
    assert [bool(p.buttons) for p in parts] == [False, False, False, False, True]


async def test_a_failed_part_is_not_sent_again_when_the_rest_is_retried(tg: TelegramBot) -> None:
    tg.fake.add_chat(805)
    text = "\n\n".join(["Đoạn một " * 400, "Đoạn hai " * 400])
    tg.fake.fail_next(status=502, after=1)  # the first part goes, the second fails once
    row_id = await queue(tg, 805, text, key="kparts")
    found = await settle(tg, row_id)
    assert (found.status, found.attempts) == ("sent", 2)
    first, second = await tg.fake.next_message(805), await tg.fake.next_message(805)
    assert first.text.startswith("Đoạn một") and second.text.startswith("Đoạn hai")
    assert len(tg.fake.calls_of("sendMessage")) == 3


async def test_photo_with_the_text_as_html_caption(tg: TelegramBot, tmp_path: Path) -> None:
    tg.fake.add_chat(806)
    chart = tmp_path / "league.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 2048)
    row_id = await queue(tg, 806, "Bảng xếp hạng <b>khối KDN</b>", key="kphoto",
                         attachment={"type": "photo", "path": str(chart), "filename": "bxh.png"})
    sent = await tg.fake.next_message(806)
    assert (sent.method, sent.text, sent.file.filename) == (
        "sendPhoto", "Bảng xếp hạng khối KDN", "bxh.png")
    assert (await settle(tg, row_id)).status == "sent"


async def test_document_with_a_plain_caption_shown_literally(tg: TelegramBot,
                                                             tmp_path: Path) -> None:
    tg.fake.add_chat(807)
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"PK" + b"x" * 4000)
    await queue(tg, 807, "", key="kdoc", attachment={
        "type": "document", "path": str(report), "filename": "bao-cao.xlsx",
        "caption": "Báo cáo <tháng 11> & quý IV"})
    sent = await tg.fake.next_message(807)
    assert (sent.method, sent.text, sent.file.size) == (
        "sendDocument", "Báo cáo <tháng 11> & quý IV", 4002)


async def test_missing_attachment_file_fails_with_the_reason(tg: TelegramBot, tmp_path: Path) -> None:
    tg.fake.add_chat(808)
    row_id = await queue(tg, 808, "Báo cáo", key="kmissing", attachment={
        "type": "document", "path": str(tmp_path / "gone.xlsx")})
    found = await settle(tg, row_id)
    assert (found.status, found.last_error) == ("failed", "attachment file not found: gone.xlsx")
    assert not tg.fake.calls_of("sendDocument")


async def test_outage_is_retried_until_delivered_once(tg: TelegramBot) -> None:
    tg.fake.add_chat(809)
    tg.fake.fail_next(status=502, count=2)
    row_id = await queue(tg, 809, "Sau sự cố", key="k5xx")
    assert (await tg.fake.next_message(809, wait=8)).text == "Sau sự cố"
    found = await settle(tg, row_id)
    assert (found.status, found.attempts) == ("sent", 3)
    assert len(tg.fake.unread_all(809)) == 1


async def test_an_answer_lost_after_telegram_took_the_message_leaves_it_uncertain_sent_once(
        tg: TelegramBot) -> None:
    assert tg.app is not None
    tg.fake.add_chat(810)
    tg.fake.lose_answers = 1  # delivered, then the connection drops before the answer
    row_id = await queue(tg, 810, "Hạn nộp là thứ Sáu", key="klost")
    found = await settle(tg, row_id)
    assert (found.status, found.attempts) == ("uncertain", 1)
    assert found.last_error is not None and found.last_error.startswith("answer lost")
    assert (await tg.fake.next_message(810)).text == "Hạn nộp là thứ Sáu"
    await asyncio.sleep(0.5)  # a drain or two later: still not sent again
    assert len(tg.fake.calls_of("sendMessage")) == 1 and not tg.fake.unread(810)
    assert tg.app.metrics.registry.get_sample_value(
        "sangkien_sends_total", {"channel": "telegram", "result": "unknown"}) == 1


async def test_a_long_message_failed_at_its_second_part_is_finished_by_another_worker(
        db_url: str) -> None:
    fake = FakeTelegram()
    async with running_bot(db_url, fake=fake, federation=False) as tg:
        assert tg.app is not None
        fake.add_chat(811)
        # A retry far away, so that the first worker is gone before it falls due.
        tg.app.sender.settings = tg.app.sender.settings.model_copy(
            update={"backoff_base_seconds": 60.0})
        text = "\n\n".join(["Đoạn một " * 400, "Đoạn hai " * 400, "Đoạn ba " * 400])
        fake.fail_next(status=502, after=1)  # the first part goes, the second fails once
        row_id = await queue(tg, 811, text, key="kparts-resume")
        first = await fake.next_message(811)
        found = await wait_for_status(tg, row_id, "pending")
        assert (found.parts_sent, found.attempts, found.claimed_by) == (1, 1, "tg1")
        await tg.restart()  # a new worker (tg2), which never saw the first try
        assert tg.app is not None and tg.app.sender.worker_id == "tg2"
        async with unit_of_work(tg.app.sessions) as session:
            await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                                  .values(not_before=tg.app.clock.now()))
        found = await settle(tg, row_id)
        second, third = await fake.next_message(811), await fake.next_message(811)
    assert (found.status, found.attempts, found.claimed_by) == ("sent", 2, "tg2")
    assert first.text.startswith("Đoạn một") and second.text.startswith("Đoạn hai")
    assert third.text.startswith("Đoạn ba")
    assert len(fake.calls_of("sendMessage")) == 4  # one, two (failed), two, three


async def wait_for_status(tg: TelegramBot, row_id: int, status: str,
                          wait: float = 10) -> OutboxMessage:
    assert tg.app is not None
    deadline = time.monotonic() + wait
    while True:
        async with tg.app.sessions() as session:
            found = await session.get(OutboxMessage, row_id)
            assert found is not None
            if found.status == status or time.monotonic() > deadline:
                return found
        await asyncio.sleep(0.05)

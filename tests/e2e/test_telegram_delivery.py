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
from sqlalchemy import select

from handlers.types import utf16_len
from storage.db import unit_of_work
from storage.models import Chat, OutboxMessage, Priority
from storage.repositories import outbox
from tests.factories import link
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

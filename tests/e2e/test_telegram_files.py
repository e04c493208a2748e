"""Photos and documents sent on Telegram reach the core as stored files (real PTB, fake Bot API)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import Attachment, DialogState, Initiative, Member
from tests.factories import link
from tests.fakes.telegram_harness import TelegramBot, running_bot
from tests.fakes.telegram_people import PHOTO, TgUser
from tests.rosterfiles import MEMBERS, write_csv, write_xlsx

NEW = ("0912345678", "Bùi Thị Hoa", "DN02", "")
CAPTION = "Ảnh kho sau khi dán mã QR lên từng kệ hàng"


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[TelegramBot]:
    async with running_bot(sqlite_url, request.param) as bot:
        yield bot


@pytest.fixture
async def small_cap(sqlite_url: str) -> AsyncIterator[TelegramBot]:
    async with running_bot(sqlite_url, max_file_bytes=2048) as bot:
        yield bot


async def person(tg: TelegramBot, phone: str, user_id: int) -> TgUser:
    assert tg.app is not None and tg.federation is not None
    await link(tg.app, tg.federation, phone, channel="telegram", user_id=str(user_id))
    return tg.user(user_id)


async def reply(tg: TelegramBot, user: TgUser) -> str:
    return (await tg.fake.next_message(user.chat)).text


async def at_content_step(tg: TelegramBot, lan: TgUser) -> None:
    await lan.says("/sangkien Sắp xếp lại kho vật tư")
    assert "Bước 2/6" in await reply(tg, lan)
    await lan.says("4")
    assert "Bước 3/6" in await reply(tg, lan)


def roster_csv(tmp_path: Path, *rows: tuple[str, ...]) -> bytes:
    return write_csv(tmp_path / "roster.csv", MEMBERS, list(rows) or [NEW]).read_bytes()


def read_stored(tg: TelegramBot, relative: str) -> bytes:
    return Path(tg.config.telegram.media_dir, relative).read_bytes()


def stored_documents(tg: TelegramBot) -> list[Path]:
    """The documents kept under the media folder (`telegram/<sha256>/<name>`)."""
    return sorted(Path(tg.config.telegram.media_dir, "telegram").glob("*/*"))


async def count(tg: TelegramBot, model: type) -> int:
    assert tg.app is not None
    async with tg.app.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_photos_at_the_content_step_are_kept_and_a_long_caption_answers_it(
        tg: TelegramBot) -> None:
    lan = await person(tg, "0900000003", 801)
    await at_content_step(tg, lan)
    sent = await lan.sends_photo("minh chứng")
    assert "Đã nhận ảnh minh chứng (1 ảnh)" in await reply(tg, lan)
    assert "Bước 3/6" in await reply(tg, lan)  # a short caption is not the content
    largest = sent.update["message"]["photo"][-1]["file_id"]
    assert [c["file_id"] for c in tg.fake.calls_of("getFile")] == [largest]
    other = PHOTO[::-1]
    await lan.sends_photo(CAPTION, data=other)
    assert "(2 ảnh)" in await reply(tg, lan)
    assert "Bước 4/6" in await reply(tg, lan)
    for answer in ("Giảm một nửa thời gian kiểm kê.", "0"):
        await lan.says(answer)
        await reply(tg, lan)
    assert "Ảnh minh chứng: 2 ảnh" in tg.fake.sent[-1].text
    await lan.presses(tg.fake.sent[-1], 1)
    assert "Đã gửi sáng kiến SK-" in await reply(tg, lan)
    assert tg.app is not None
    async with tg.app.sessions() as session:
        initiative = (await session.execute(select(Initiative))).scalar_one()
        files = (await session.execute(select(Attachment).order_by(Attachment.id))).scalars().all()
    assert initiative.content == CAPTION
    assert [(f.channel, f.initiative_id, f.content_type) for f in files] == [
        ("telegram", initiative.id, "image/jpeg")] * 2
    assert [read_stored(tg, f.path) for f in files] == [PHOTO, other]


async def test_staff_send_a_roster_csv_get_the_dry_run_report_and_apply_it_with_1(
        tg: TelegramBot, tmp_path: Path) -> None:
    ha = await person(tg, "0900000001", 802)
    await ha.sends_document("ds-t11.csv", roster_csv(tmp_path))
    report = await reply(tg, ha)
    assert "ds-t11.csv (danh sách đoàn viên): 1 dòng dữ liệu" in report
    assert "+ Dòng 2: 0912345678" in report
    question = await tg.fake.next_message(ha.chat)
    assert [b["text"] for b in question.buttons] == ["1. Áp dụng", "2. Huỷ"]
    await ha.says("1")
    assert "Đã ghi ds-t11.csv: thêm 1" in await reply(tg, ha)
    assert tg.app is not None
    async with tg.app.sessions() as session:
        hoa = (await session.execute(select(Member).where(Member.phone == NEW[0]))).scalar_one()
    assert hoa.name == "Bùi Thị Hoa"
    kept = stored_documents(tg)
    assert [(p.name, p.read_bytes()) for p in kept] == [("ds-t11.csv", roster_csv(tmp_path))]


async def test_a_workbook_named_in_vietnamese_is_kept_by_its_name_and_applied_by_button(
        sqlite_url: str, tmp_path: Path) -> None:
    async with running_bot(sqlite_url) as tg:
        ha = await person(tg, "0900000001", 803)
        book = write_xlsx(tmp_path / "x.xlsx", MEMBERS, [NEW]).read_bytes()
        await ha.sends_document("Danh sách/../T11 (mới).xlsx", book, mime_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        assert "1 dòng dữ liệu" in await reply(tg, ha)
        await ha.presses(await tg.fake.next_message(ha.chat), 1)
        assert "thêm 1" in await reply(tg, ha)
        assert [p.name for p in stored_documents(tg)] == ["T11 (mới).xlsx"]


async def test_a_roster_over_the_size_cap_is_refused_politely_without_downloading_it(
        small_cap: TelegramBot, tmp_path: Path) -> None:
    tg = small_cap
    ha = await person(tg, "0900000001", 804)
    await ha.sends_document("lon.csv", roster_csv(tmp_path, *[NEW] * 200))
    assert "Tệp lon.csv quá lớn nên bot chưa nhận được" in await reply(tg, ha)
    assert not tg.fake.calls_of("getFile") and not tg.fake.calls_of("download")
    assert await count(tg, DialogState) == 0


async def test_a_photo_over_the_size_cap_is_refused_and_the_question_comes_again(
        small_cap: TelegramBot) -> None:
    tg = small_cap
    lan = await person(tg, "0900000003", 805)
    await at_content_step(tg, lan)
    await lan.sends_photo(CAPTION)
    assert "Ảnh quá lớn" in await reply(tg, lan)
    assert "Bước 3/6" in await reply(tg, lan)
    assert await count(tg, Attachment) == 0


async def test_a_file_telegram_will_not_serve_is_refused_as_too_large(
        sqlite_url: str, tmp_path: Path) -> None:
    async with running_bot(sqlite_url, max_file_bytes=20 * 1024 * 1024) as tg:
        ha = await person(tg, "0900000001", 806)
        # No size in the message: only getFile tells (400 "file is too big" past 20 MB).
        await ha.sends_document("ca-nuoc.csv", roster_csv(tmp_path), size=25 * 1024 * 1024,
                                announce_size=False)
        assert "Tệp ca-nuoc.csv quá lớn" in await reply(tg, ha)
        assert len(tg.fake.calls_of("getFile")) == 1 and not tg.fake.calls_of("download")


async def test_a_failed_download_is_answered_politely_and_logs_no_token(
        sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_bot(sqlite_url) as tg:
        ha = await person(tg, "0900000001", 807)
        tg.fake.fail_next("download", status=502)
        await ha.sends_document("ds.csv", roster_csv(tmp_path))
        assert "Bot chưa tải được tệp ds.csv" in await reply(tg, ha)
        assert len(tg.fake.calls_of("download")) == 1
        token = tg.fake.token
    # Ours, before any redaction (bot/logs.py masks tokens in what reaches the log handler).
    logged = "\n".join(r.getMessage() for r in caplog.records
                       if r.name.split(".")[0] in ("bot", "handlers", "storage"))
    assert "file download failed" in logged
    assert token not in logged and token.split(":")[1] not in logged
    assert "/file/bot" not in logged


async def test_a_members_file_is_refused_politely(tg: TelegramBot, tmp_path: Path) -> None:
    lan = await person(tg, "0900000003", 808)
    await lan.sends_document("ds.csv", roster_csv(tmp_path))
    answer = await reply(tg, lan)
    assert "chỉ nhận tệp danh sách" in answer and "/sangkien" in answer
    async with tg.app.sessions() as session:  # type: ignore[union-attr]
        assert (await session.execute(select(Member).where(Member.phone == NEW[0]))).first() is None


async def test_a_file_in_a_group_not_addressed_to_the_bot_is_not_downloaded(
        sqlite_url: str, tmp_path: Path) -> None:
    async with running_bot(sqlite_url) as tg:
        ha = (await person(tg, "0900000001", 809)).in_group(-100123)
        await ha.sends_document("ds.csv", roster_csv(tmp_path))
        await tg.fake.wait_until_confirmed()
        assert not tg.fake.calls_of("getFile")
        assert not tg.fake.unread(ha.chat)

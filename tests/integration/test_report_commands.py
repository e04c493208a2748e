"""Reports in chat: /xephang for members, /khenthuong and /xuat for staff, on every channel."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.app import App
from bot.channels.memory import MemoryChannel
from handlers.clock import ManualClock
from handlers.types import ChatRef, Inbound
from tests.conftest import make_config
from tests.factories import Federation, add_initiatives, build_federation, link
from tests.fakes.driver import ChatDriver


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # exported files go to ./data/exports


async def test_xephang_shows_the_own_block_with_fair_columns(
        chat: ChatDriver, federation: Federation) -> None:
    await add_initiatives(chat.app, federation, "0900000006", 2)
    lan = await chat.member("0900000003")
    await lan.says("/xephang")
    text = await lan.next_reply()
    assert "Bảng xếp hạng Khối KDN" in text and "Khối KHC" not in text
    assert "1. Công ty Cơ khí Đông Anh: 2 · 40% · 3,3 · 2%" in text  # 2 of 5; 1 author of 60
    assert "2. Công ty May Sông Hồng: 0 · 0% · 0 · 0% ▼1 ← đơn vị bạn" in text  # tied a week ago
    assert "Cột: số sáng kiến · % kế hoạch" in text


async def test_khenthuong_is_for_staff(chat: ChatDriver, federation: Federation) -> None:
    await add_initiatives(chat.app, federation, "0900000004", 8, status="approved")
    lan = await chat.member("0900000003")
    await lan.says("/khenthuong")
    assert "cán bộ LĐLĐ" in await lan.next_reply()
    ha = await chat.member("0900000001")
    await ha.says("/khenthuong")
    text = await ha.next_reply()
    assert "Đề xuất khen thưởng LĐLĐ huyện Thử Nghiệm" in text
    assert "1. TH01 Trường Tiểu học số 1 Đông…: 100% KH · 20/100 · 8 SK" in text
    assert "1. Phạm Quốc Huy (TH01): 8 SK" in text


async def test_khenthuong_of_an_unknown_phase_says_so(chat: ChatDriver) -> None:
    ha = await chat.member("0900000001")
    await ha.says("/khenthuong 9")
    assert "9" in await ha.next_reply()


async def test_xuat_lists_the_exports_and_sends_the_league_card(
        chat: ChatDriver, federation: Federation, tmp_path: Path) -> None:
    await add_initiatives(chat.app, federation, "0900000003", 3)
    ha = await chat.member("0900000001")
    await ha.says("/xuat")
    menu = await ha.next_reply()
    assert "1. Bảng xếp hạng (ảnh)" in menu and "6. Danh sách sáng kiến (Excel)" in menu
    await ha.says("1")
    sent = await ha.next_message()
    assert "tệp đính kèm" in sent.text and sent.attachment is not None
    assert sent.attachment["type"] == "photo" and sent.attachment["filename"].endswith(".png")
    card = Path(sent.attachment["path"])
    assert card.parts[:2] == ("data", "exports")  # under the working directory: tmp_path here
    assert Image.open(tmp_path / card).width == 1080


async def test_xuat_with_a_number_sends_a_workbook_at_once(chat: ChatDriver,
                                                          federation: Federation) -> None:
    ha = await chat.member("0900000001")
    await ha.says("/xuat 4")
    sent = await ha.next_message()
    assert sent.attachment is not None and sent.attachment["type"] == "document"
    book = load_workbook(sent.attachment["path"])
    assert book.sheetnames == ["Tập thể", "Cá nhân"]


async def test_xuat_is_refused_to_officers(chat: ChatDriver) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/xuat")
    assert "cán bộ LĐLĐ" in await minh.next_reply()


async def zalo_app(db_url: str, clock: ManualClock, **web: object) -> tuple[App, MemoryChannel]:
    app = App.create(make_config(db_url, web=web), clock=clock, worker_id="zalo-test")
    zalo = MemoryChannel("zalo")
    app.add_channel(zalo)
    return app, zalo


async def staff_on_zalo(app: App, text: str, update: str) -> None:
    await app.handle(Inbound(chat=ChatRef("zalo", "z-ha"), user_id="z-ha", update_id=update,
                             text=text))


async def test_zalo_gets_the_card_as_an_expiring_link_when_public(
        db_url: str, clock: ManualClock) -> None:
    app, zalo = await zalo_app(db_url, clock, public_url="https://bot.example")
    try:
        fed = await build_federation(app, today=clock.now().date())
        await link(app, fed, "0900000001", channel="zalo", user_id="z-ha")
        await staff_on_zalo(app, "/xuat 1", "1")
        sent = zalo.sent[-1]
        assert sent.attachment is not None
        assert sent.attachment["url"].startswith("https://bot.example/cards/")
        await staff_on_zalo(app, "/xuat 2", "2")
        assert zalo.sent[-1].attachment is None and "https://bot.example/cards/" in zalo.sent[-1].text
    finally:
        await app.close()


async def test_zalo_without_a_public_url_gets_the_league_as_text(
        db_url: str, clock: ManualClock) -> None:
    app, zalo = await zalo_app(db_url, clock)
    try:
        fed = await build_federation(app, today=clock.now().date())
        await link(app, fed, "0900000001", channel="zalo", user_id="z-ha")
        await staff_on_zalo(app, "/xuat 1", "1")
        sent = zalo.sent[-1]
        assert sent.attachment is None and "1. DN01: 0 (0%)" in sent.text
        before = len(zalo.sent)
        await staff_on_zalo(app, "/xuat 2", "2")  # a workbook cannot go: say why, and only that
        assert len(zalo.sent) == before + 1 and "không gửi được tệp" in zalo.sent[-1].text
    finally:
        await app.close()


async def test_console_prints_a_line_naming_the_attached_file(app: App) -> None:
    from bot.channels.console import ConsoleChannel
    from handlers.types import Outbound

    out = io.StringIO()
    console = ConsoleChannel(app.renderer.render, out)
    await console.send(Outbound(chat=ChatRef("console", "dm:x"), text="Bảng xếp hạng",
                                attachment={"type": "photo", "path": "data/exports/a.png",
                                            "filename": "xephang.png", "caption": "c"}))
    assert "[Ảnh đính kèm: xephang.png (data/exports/a.png)]" in out.getvalue()


async def test_tiendo_ranks_by_the_same_rule_as_the_league(chat: ChatDriver,
                                                           federation: Federation) -> None:
    from tests.integration.test_league import add_member

    await add_member(chat.app, federation, "TH02", "0900000019")
    await add_initiatives(chat.app, federation, "0900000004", 4)  # TH01: 4 of 8, 40 members
    await add_initiatives(chat.app, federation, "0900000019", 4)  # TH02: 4 of 8, 35 members
    huy = await chat.member("0900000004")
    await huy.says("/tiendo")
    assert "Xếp thứ 2/2 trong Khối KHC" in await huy.next_reply()
    await huy.says("/xephang")
    assert "2. Trường Tiểu học số 1 Đông Anh: 4" in await huy.next_reply()

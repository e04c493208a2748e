"""One person on Zalo and on Telegram: a draft begun on one is finished on the other.

Both fake Bot APIs, both real platforms (python-telegram-bot, our Zalo client) on one app and one
database. Lan links Telegram by sharing her own contact and Zalo with her officer's /maketnoi code.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from storage.models import DialogState, Identity, Initiative, InitiativeStatus
from tests.factories import link
from tests.fakes.telegram_people import TgUser
from tests.fakes.two_channels import BothChannels, both_channels
from tests.fakes.zalo_bot import ZaloPerson

LAN = "0900000003"
ZALO_ID = "6ede9afa66b88fe6d6a9"
TITLE = "Cải tiến quy trình nhập kho bằng mã QR"
CONTENT = "Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho."
EFFECT = "Giảm một nửa thời gian kiểm kê hằng tháng."


@pytest.fixture(params=["polling", "webhook"])
async def both(request: pytest.FixtureRequest, db_url: str) -> AsyncIterator[BothChannels]:
    async with both_channels(db_url, request.param) as running:
        yield running


async def tg_says(both: BothChannels, user: TgUser, text: str) -> str:
    await user.says(text)
    return (await both.telegram.next_message(user.chat)).text


async def linked_on_both(both: BothChannels) -> tuple[TgUser, ZaloPerson]:
    """Lan: Telegram by her own contact, Zalo by a one-time code from her officer."""
    lan_tg = both.tg_user(901)
    assert "Chương trình" in await tg_says(both, lan_tg, "/start DN01")
    assert "Đơn vị: Công ty May Sông Hồng" in (await both.telegram.next_message(901)).text
    assert "Số điện thoại" in await tg_says(both, lan_tg, "Nguyễn Thị Lan")
    await lan_tg.shares_contact("+84 900 000 003")
    assert "Nguyễn Thị Lan" in (await both.telegram.next_message(901)).text
    await both.telegram.next_message(901)  # the menu
    assert both.app is not None and both.federation is not None
    await link(both.app, both.federation, "0900000002", channel="telegram", user_id="902")
    issued = await tg_says(both, both.tg_user(902, "Minh"), f"/maketnoi {LAN}")
    code = re.search(r"\b(\d{6})\b", issued)
    assert code is not None, issued
    lan_zalo = both.zalo_person(ZALO_ID)
    await lan_zalo.says(code.group(1))
    assert "Đã liên kết tài khoản với đoàn viên Nguyễn Thị Lan" in await lan_zalo.next_reply()
    await lan_zalo.next_reply()  # the menu
    return lan_tg, lan_zalo


async def one_member_behind_both_accounts(both: BothChannels) -> int:
    assert both.app is not None
    async with both.app.sessions() as session:
        rows = (await session.execute(select(Identity).order_by(Identity.channel).where(
            Identity.user_id.in_(["901", ZALO_ID])))).scalars().all()
    assert [(r.channel, r.user_id, r.verified) for r in rows] == [
        ("telegram", "901", True), ("zalo", ZALO_ID, True)]
    assert rows[0].member_id == rows[1].member_id
    return rows[0].member_id


async def dialog_rows(both: BothChannels) -> list[tuple[str, str, str]]:
    assert both.app is not None
    async with both.app.sessions() as session:
        rows = (await session.execute(select(DialogState))).scalars().all()
    return [(r.key, r.dialog, r.step) for r in rows]


async def the_initiative(both: BothChannels) -> Initiative:
    assert both.app is not None
    async with both.app.sessions() as session:
        return (await session.execute(select(Initiative))).scalar_one()


async def test_a_draft_started_on_zalo_is_finished_on_telegram(both: BothChannels) -> None:
    lan_tg, lan_zalo = await linked_on_both(both)
    member_id = await one_member_behind_both_accounts(both)
    await lan_zalo.says("/sangkien")
    assert "Bước 1/6" in await lan_zalo.next_reply()
    await lan_zalo.says(TITLE)
    assert "4. Kỹ thuật" in await lan_zalo.next_reply()
    await lan_zalo.says("4")
    assert "Bước 3/6" in await lan_zalo.next_reply()
    assert await dialog_rows(both) == [(f"member:{member_id}", "register_initiative",
                                        "ask_content")]

    assert "Bước 4/6" in await tg_says(both, lan_tg, CONTENT)
    assert "Bước 5/6" in await tg_says(both, lan_tg, EFFECT)
    assert "Bước 6/6" in await tg_says(both, lan_tg, "200 triệu")
    summary = both.telegram.sent[-1]
    assert TITLE in summary.text and "Kỹ thuật" in summary.text
    await lan_tg.presses(summary, 1)
    done = (await both.telegram.next_message(lan_tg.chat)).text
    assert "Đã gửi sáng kiến SK-000001" in done
    lan_zalo.no_reply()
    initiative = await the_initiative(both)
    assert (initiative.member_id, initiative.title, initiative.content, initiative.status) == (
        member_id, TITLE, CONTENT, InitiativeStatus.SUBMITTED)
    assert await dialog_rows(both) == []  # finished: no draft left


async def test_a_draft_started_on_telegram_is_finished_on_zalo(both: BothChannels) -> None:
    lan_tg, lan_zalo = await linked_on_both(both)
    member_id = await one_member_behind_both_accounts(both)
    assert "Bước 1/6" in await tg_says(both, lan_tg, "/sangkien")
    await lan_tg.says(TITLE)
    fields = await both.telegram.next_message(lan_tg.chat)
    await lan_tg.presses(fields, 4)
    assert "Bước 3/6" in (await both.telegram.next_message(lan_tg.chat)).text
    assert await dialog_rows(both) == [(f"member:{member_id}", "register_initiative",
                                        "ask_content")]

    for answer, expected in ((CONTENT, "Bước 4/6"), (EFFECT, "Bước 5/6"), ("bỏ qua", "1. Gửi")):
        await lan_zalo.says(answer)
        assert expected in await lan_zalo.next_reply()
    await lan_zalo.says("1")
    assert "Đã gửi sáng kiến SK-000001" in await lan_zalo.next_reply()
    assert not both.telegram.unread(lan_tg.chat)
    initiative = await the_initiative(both)
    assert (initiative.member_id, initiative.field, initiative.content) == (
        member_id, "Kỹ thuật", CONTENT)
    assert await dialog_rows(both) == []

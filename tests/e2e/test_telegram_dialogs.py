"""Members onboard and register initiatives over Telegram: real python-telegram-bot, fake Bot API.

Every scenario runs in polling and in webhook mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from storage.models import Identity, Initiative, Member
from tests.factories import link
from tests.fakes.telegram_harness import TelegramBot, running_bot
from tests.fakes.telegram_people import TgUser

TITLE = "Cải tiến quy trình nhập kho bằng mã QR"
CONTENT = "Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho."
EFFECT = "Giảm một nửa thời gian kiểm kê hằng tháng."


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[TelegramBot]:
    async with running_bot(sqlite_url, request.param) as bot:
        yield bot


async def member(tg: TelegramBot, phone: str, user_id: int) -> TgUser:
    assert tg.app is not None and tg.federation is not None
    await link(tg.app, tg.federation, phone, channel="telegram", user_id=str(user_id))
    return tg.user(user_id, "Lan")


async def reply(tg: TelegramBot, user: TgUser) -> str:
    return (await tg.fake.next_message(user.chat)).text


async def test_newcomer_onboards_by_deep_link_and_shares_own_phone(tg: TelegramBot) -> None:
    an = tg.user(501, "An")
    await an.says("/start DN01")
    assert "Chương trình" in await reply(tg, an)
    assert "Đơn vị: Công ty May Sông Hồng" in await reply(tg, an)
    await an.says("Ngô Văn An")
    ask_phone = await tg.fake.next_message(an.chat)
    assert "Số điện thoại" in ask_phone.text and ask_phone.contact_button
    await an.shares_contact("+84 912 345 678")
    done = await tg.fake.next_message(an.chat)
    assert "Ngô Văn An" in done.text and done.markup == {"remove_keyboard": True}
    menu = await tg.fake.next_message(an.chat)
    assert menu.buttons[0]["callback_data"] == "1"
    identity, person = await identity_of(tg, "501")
    assert (person.phone, identity.verified) == ("0912345678", True)


async def test_someone_elses_contact_is_taken_but_not_verified(tg: TelegramBot) -> None:
    an = tg.user(502, "An")
    await an.says("/start DN01")
    await reply(tg, an), await reply(tg, an)
    await an.says("Ngô Văn An")
    await reply(tg, an)
    await an.shares_contact("0912345679", own=False)
    assert "xác nhận" in await reply(tg, an)
    await reply(tg, an)
    identity, _ = await identity_of(tg, "502")
    assert identity.verified is False


async def test_member_registers_an_initiative_pressing_buttons(tg: TelegramBot) -> None:
    lan = await member(tg, "0900000003", 601)
    await lan.says("/sangkien")
    assert "Bước 1/6" in await reply(tg, lan)
    await lan.says(TITLE)
    fields = await tg.fake.next_message(lan.chat)
    assert [b["callback_data"] for b in fields.buttons] == [str(n) for n in range(1, 9)]
    await lan.presses(fields, 4)
    assert "Bước 3/6" in await reply(tg, lan)
    assert tg.fake.calls_of("answerCallbackQuery")
    assert tg.fake.calls_of("editMessageReplyMarkup")[-1]["message_id"] == fields.message_id
    await answer_the_rest(tg, lan, confirm_by_button=True)
    initiative = await only_initiative(tg)
    assert (initiative.title, initiative.field) == (TITLE, "Kỹ thuật")


async def test_member_registers_an_initiative_typing_numbers(tg: TelegramBot) -> None:
    lan = await member(tg, "0900000003", 602)
    await lan.says("/sangkien " + TITLE)
    await reply(tg, lan)
    await lan.says("4")
    assert "Bước 3/6" in await reply(tg, lan)
    await answer_the_rest(tg, lan, confirm_by_button=False)
    assert (await only_initiative(tg)).field == "Kỹ thuật"


async def test_dialog_survives_a_restart_mid_way(tg: TelegramBot) -> None:
    lan = await member(tg, "0900000003", 603)
    await lan.says("/sangkien " + TITLE)
    await reply(tg, lan)
    await lan.says("4")
    await reply(tg, lan)
    await tg.restart()
    await lan.says(CONTENT)
    assert "Bước 4/6" in await reply(tg, lan)
    await lan.says(EFFECT)
    await reply(tg, lan)
    await lan.says("bỏ qua")
    summary = await reply(tg, lan)
    assert TITLE in summary and CONTENT in summary


async def test_html_in_a_title_is_shown_literally(tg: TelegramBot) -> None:
    lan = await member(tg, "0900000003", 604)
    await lan.says("/sangkien Kho <b>mới</b> & <script>")
    await reply(tg, lan)
    await lan.says("4")
    await reply(tg, lan)
    for text in (CONTENT, EFFECT, "0"):
        await lan.says(text)
        await reply(tg, lan)
    summary = tg.fake.sent[-1]
    assert "Tên: Kho <b>mới</b> & <script>" in summary.text
    assert "Kho &lt;b&gt;mới&lt;/b&gt; &amp; &lt;script&gt;" in summary.html


async def test_a_photo_mid_dialog_gets_a_polite_answer_and_the_question_again(
        tg: TelegramBot) -> None:
    lan = await member(tg, "0900000003", 605)
    await lan.says("/sangkien")
    await reply(tg, lan)
    await lan.sends_photo("ảnh kho")
    assert "ảnh" in (await reply(tg, lan)).lower()
    assert "Bước 1/6" in await reply(tg, lan)


async def answer_the_rest(tg: TelegramBot, lan: TgUser, *, confirm_by_button: bool) -> None:
    for text in (CONTENT, EFFECT, "200 triệu"):
        await lan.says(text)
        await reply(tg, lan)
    confirm = tg.fake.sent[-1]
    assert [b["text"] for b in confirm.buttons] == ["1. Gửi", "2. Sửa", "3. Huỷ"]
    await (lan.presses(confirm, 1) if confirm_by_button else lan.says("1"))
    done = await tg.fake.next_message(lan.chat)
    assert "Đã gửi sáng kiến SK-" in done.text and "<b>SK-" in done.html


async def identity_of(tg: TelegramBot, user_id: str) -> tuple[Identity, Member]:
    assert tg.app is not None
    async with tg.app.sessions() as session:
        row = (await session.execute(select(Identity, Member).join(Member).where(
            Identity.channel == "telegram", Identity.user_id == user_id))).one()
        return row[0], row[1]


async def only_initiative(tg: TelegramBot) -> Initiative:
    assert tg.app is not None
    async with tg.app.sessions() as session:
        return (await session.execute(select(Initiative))).scalar_one()

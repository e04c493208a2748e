"""Every kind of bad input gets a Vietnamese reason, the same question again, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.types import InboundKind
from storage.models import DialogState
from tests.fakes.driver import ChatDriver, ChatUser

TITLE = "Cải tiến quy trình nhập kho bằng mã QR"


async def state_of(chat: ChatDriver) -> tuple[str, dict, int] | None:
    async with chat.app.sessions() as session:
        row = (await session.execute(
            select(DialogState).where(DialogState.dialog == "register_initiative"))).scalar_one_or_none()
        return (row.step, dict(row.draft), row.version) if row else None


async def at_step(chat: ChatDriver, answers: list[str]) -> ChatUser:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    for answer in answers:
        await lan.says(answer)
        await lan.next_reply()
    return lan


async def refused(chat: ChatDriver, user: ChatUser, text: str, reason: str, question: str,
                  **kwargs) -> None:
    before = await state_of(chat)
    await user.says(text, **kwargs)
    assert reason in await user.next_reply()
    assert question in await user.next_reply()
    assert await state_of(chat) == before


TITLE_CASES = [
    ("", "chưa nhập nội dung"),
    ("     ", "chưa nhập nội dung"),
    ("Máy", "quá ngắn (3 ký tự). Cần ít nhất 5"),
    ("x" * 201, "quá dài (201 ký tự). Tối đa 200"),
    ("123456", "cần có chữ, không chỉ có số"),
    ("🚀🚀🚀🔥🔥", "không chỉ biểu tượng"),
    ("\u200b\u200b\x00\x07", "chưa nhập nội dung"),
]


@pytest.mark.parametrize(("text", "reason"), TITLE_CASES)
async def test_bad_title_is_refused_and_asked_again(chat: ChatDriver, text: str, reason: str) -> None:
    lan = await at_step(chat, [])
    await refused(chat, lan, text, reason, "Bước 1/6")


@pytest.mark.parametrize(("text", "reason"), [
    ("chín", "gõ một số từ 1 đến 8"), ("0", "Không có lựa chọn đó"), ("9", "Không có lựa chọn đó"),
    ("-1", "gõ một số từ 1 đến 8"),
])
async def test_bad_field_choice_is_refused(chat: ChatDriver, text: str, reason: str) -> None:
    lan = await at_step(chat, [TITLE])
    await refused(chat, lan, text, reason, "Bước 2/6")


async def test_field_can_be_typed_by_name_without_diacritics(chat: ChatDriver) -> None:
    lan = await at_step(chat, [TITLE])
    await lan.says("ky thuat")
    assert "Bước 3/6" in await lan.next_reply()


async def test_too_short_content_says_the_limit(chat: ChatDriver) -> None:
    lan = await at_step(chat, [TITLE, "4"])
    await refused(chat, lan, "Ngắn quá", "Cần ít nhất 20", "Bước 3/6")


async def test_too_long_effect_says_the_limit(chat: ChatDriver) -> None:
    lan = await at_step(chat, [TITLE, "4", "Nội dung đủ dài cho bước ba của hộp thoại."])
    await refused(chat, lan, "a" * 1001, "Tối đa 1.000", "Bước 4/6")


@pytest.mark.parametrize("text", ["nhiều lắm", "1,2,3 tỷ", "-5 triệu", "abc"])
async def test_words_where_money_is_wanted_are_refused(chat: ChatDriver, text: str) -> None:
    lan = await at_step(chat, [TITLE, "4", "Nội dung đủ dài cho bước ba của hộp thoại.",
                               "Hiệu quả rõ ràng."])
    await refused(chat, lan, text, "Chưa hiểu số tiền", "Bước 5/6")


@pytest.mark.parametrize("kind", [InboundKind.PHOTO, InboundKind.STICKER, InboundKind.FILE,
                                  InboundKind.VOICE])
async def test_non_text_message_is_refused_in_a_step(chat: ChatDriver, kind: InboundKind) -> None:
    lan = await at_step(chat, [])
    await refused(chat, lan, "", "chưa xử lý được", "Bước 1/6", kind=kind)


async def test_unknown_command_in_a_step(chat: ChatDriver) -> None:
    lan = await at_step(chat, [TITLE])
    await refused(chat, lan, "/khongco", "Không có lệnh /khongco", "Bước 2/6")


async def test_command_the_role_does_not_allow_in_a_step(chat: ChatDriver) -> None:
    lan = await at_step(chat, [TITLE])
    await refused(chat, lan, "/chuanop", "chỉ dành cho cán bộ công đoàn cơ sở", "Bước 2/6")


async def test_markup_in_a_title_is_accepted_as_plain_text(chat: ChatDriver) -> None:
    lan = await at_step(chat, [])
    await lan.says("<i>Tự động</i> hoá *kho* [link](http://x)")
    assert "Bước 2/6" in await lan.next_reply()
    assert (await state_of(chat))[1]["title"] == "<i>Tự động</i> hoá *kho* [link](http://x)"


async def test_emoji_inside_words_is_kept(chat: ChatDriver) -> None:
    lan = await at_step(chat, [])
    await lan.says("Tiết kiệm điện 💡 ở xưởng")
    assert "Bước 2/6" in await lan.next_reply()


async def test_choice_out_of_range_in_the_summary(chat: ChatDriver) -> None:
    lan = await at_step(chat, [TITLE, "4", "Nội dung đủ dài cho bước ba của hộp thoại.",
                               "Hiệu quả rõ ràng.", "0"])
    await refused(chat, lan, "7", "từ 1 đến 3", "Bước 6/6")


async def test_a_refused_opening_argument_starts_no_dialog(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/rut SK-999999")
    assert await lan.replies() == ["Không tìm thấy sáng kiến SK-999999 của bạn."]
    await lan.says("/tiendo")
    [progress] = await lan.replies()
    assert "Tiến độ" in progress and "rút" not in progress
    async with chat.app.sessions() as session:
        assert (await session.execute(select(DialogState))).scalars().all() == []


async def test_withdraw_without_a_number_asks_for_one(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/rut")
    assert "Bạn muốn rút sáng kiến số nào?" in await lan.next_reply()
    await lan.says("SK-999999")
    assert await lan.replies() == ["Không tìm thấy sáng kiến SK-999999 của bạn.",
                                   "Bạn muốn rút sáng kiến số nào? (ví dụ SK-000123)"]

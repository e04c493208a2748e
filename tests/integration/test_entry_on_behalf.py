"""Entry on a member's behalf (/nhaptho): confirmed, refused, on paper after three days."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry, Initiative
from tests.factories import Federation
from tests.fakes.driver import ChatDriver, ChatUser

STEPS = ["Sắp xếp lại kho vật tư theo mã màu", "4",
         "Dán nhãn màu theo nhóm vật tư và vẽ sơ đồ kho ở cửa ra vào.", "Tìm vật tư nhanh hơn.", "0"]


async def enter_for(minh: ChatUser, who: str) -> str:
    await minh.says("/nhaptho")
    assert "thay cho đoàn viên nào" in await minh.next_reply()
    await minh.says(who)
    replies = await minh.replies()
    if "Chọn đoàn viên" in replies[-1]:
        await minh.says("1")
        replies = await minh.replies()
    assert any("Nhập thay đoàn viên" in r for r in replies), replies
    for answer in STEPS:
        await minh.says(answer)
        await minh.replies()
    await minh.says("1")
    entered = await minh.next_reply()
    assert "Đã nhập sáng kiến SK-" in entered
    return entered.split("Đã nhập sáng kiến ")[1].split(" ")[0]


async def status(chat: ChatDriver, number: str) -> tuple[str, int | None, int]:
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Initiative).where(Initiative.number == number))).scalar_one()
        return row.status, row.entered_by_id, row.member_id


async def test_member_confirms_with_one_reply(chat: ChatDriver, federation: Federation) -> None:
    lan = await chat.member("0900000003")
    minh = await chat.member("0900000002")
    number = await enter_for(minh, "0900000003")
    assert (await status(chat, number))[0] == "pending_confirmation"
    ask = await lan.next_message()
    assert "đã nhập thay bạn" in ask.text and ask.choices[0].startswith("Đúng")
    await lan.says("1")
    assert "đã được xác nhận" in await lan.next_reply()
    assert "đã xác nhận sáng kiến" in await minh.next_reply()
    state, entered_by, author = await status(chat, number)
    assert state == "submitted"
    assert entered_by == federation.members["0900000002"].id
    assert author == federation.members["0900000003"].id


async def test_member_says_it_is_not_right(chat: ChatDriver, federation: Federation) -> None:
    lan = await chat.member("0900000003")
    minh = await chat.member("0900000002")
    number = await enter_for(minh, "Nguyen Thi Lan")
    await lan.next_reply()
    await lan.says("2")
    assert "không đúng và đã được rút" in await lan.next_reply()
    assert "cho biết không đúng" in await minh.next_reply()
    assert (await status(chat, number))[0] == "withdrawn"


async def test_a_busy_member_confirms_later_with_xacnhan(chat: ChatDriver,
                                                         federation: Federation) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    minh = await chat.member("0900000002")
    number = await enter_for(minh, "0900000003")
    assert "gõ /xacnhan" in await lan.next_reply()
    await lan.says("/huy")
    await lan.next_reply()
    await lan.says("/xacnhan")
    assert number in await lan.next_reply()
    await lan.says("1")
    await lan.next_reply()
    await minh.next_reply()
    assert (await status(chat, number))[0] == "submitted"


async def test_member_without_chat_account_is_confirmed_on_paper_after_three_days(
        chat: ChatDriver, federation: Federation) -> None:
    minh = await chat.member("0900000002")
    number = await enter_for(minh, "Đỗ Văn Nam")
    await minh.says(f"/xacnhangiay {number} đã ký biên bản")
    assert "3 ngày sau khi nhập" in await minh.next_reply()
    chat.app.clock.advance(days=3)
    await minh.says(f"/xacnhangiay {number} đã ký biên bản")
    assert "được tính cho đơn vị" in await minh.next_reply()
    assert (await status(chat, number))[0] == "submitted"
    async with chat.app.sessions() as session:
        entry = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == "entry.confirm_on_paper"))).scalar_one()
    assert entry.note == "đã ký biên bản"


async def test_officer_cannot_enter_for_another_unit(chat: ChatDriver, federation: Federation) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/nhaptho")
    await minh.next_reply()
    await minh.says("0900000004")
    assert "Không tìm thấy đoàn viên" in await minh.next_reply()
    await minh.next_reply()

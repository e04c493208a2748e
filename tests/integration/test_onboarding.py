"""Onboarding a stranger: unit by code, by number, by fuzzy name; name; phone; roster link."""

from __future__ import annotations

from sqlalchemy import select

from handlers.types import InboundKind
from storage.models import Identity, Member
from tests.fakes.driver import ChatDriver


async def identity_of(chat: ChatDriver, user_id: str) -> tuple[Identity, Member] | None:
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Identity, Member).join(Member).where(
            Identity.user_id == user_id))).first()
        return (row[0], row[1]) if row else None


async def test_start_with_a_unit_code_then_name_and_phone_adds_a_member(chat: ChatDriver) -> None:
    an = chat.user("tg-1", name="An")
    await an.says("/start DN02")
    assert "Chương trình" in await an.next_reply()
    assert "Đơn vị: Công ty Cơ khí Đông Anh" in await an.next_reply()
    await an.says("Ngô Văn An")
    assert "Số điện thoại" in await an.next_reply()
    await an.says("+84 912 345 678")
    done = await an.next_reply()
    assert "Ngô Văn An" in done and "sẽ bổ sung bạn vào danh sách" in done
    assert "Gõ số để chọn" in await an.next_reply()
    identity, member = await identity_of(chat, "tg-1")
    assert (member.phone, member.name, identity.verified) == ("0912345678", "Ngô Văn An", False)


async def test_unit_typed_without_diacritics_is_found(chat: ChatDriver) -> None:
    an = chat.user("tg-2")
    await an.says("/start")
    await an.next_reply()
    assert "công đoàn cơ sở nào" in await an.next_reply()
    await an.says("truong tieu hoc so 1")
    pick = await an.next_message()
    assert pick.choices[0] == "Trường Tiểu học số 1 Đông Anh (TH01)"
    await an.says("1")
    assert "Đơn vị: Trường Tiểu học số 1 Đông Anh" in await an.next_reply()


async def test_unknown_unit_name_is_refused(chat: ChatDriver) -> None:
    an = chat.user("tg-3")
    await an.says("/start")
    await an.replies()
    await an.says("zzqqxx")
    assert "Không tìm thấy đơn vị" in await an.next_reply()
    assert "công đoàn cơ sở nào" in await an.next_reply()


async def test_not_in_the_list_goes_back_to_the_unit_question(chat: ChatDriver) -> None:
    an = chat.user("tg-4")
    await an.says("/start")
    await an.replies()
    await an.says("cong ty")
    pick = await an.next_message()
    await an.says(str(len(pick.choices)))
    assert "công đoàn cơ sở nào" in await an.next_reply()


async def test_phone_on_the_roster_links_to_that_member(chat: ChatDriver) -> None:
    lan = chat.user("tg-5")
    await lan.says("/start DN01")
    await lan.replies()
    await lan.says("Nguyễn Thị Lan")
    await lan.next_reply()
    await lan.says("0900000003")
    assert "có trong danh sách" in await lan.next_reply()
    await lan.next_reply()
    _, member = await identity_of(chat, "tg-5")
    assert member.role == "member" and member.name == "Nguyễn Thị Lan"


async def test_a_phone_that_is_not_vietnamese_is_refused(chat: ChatDriver) -> None:
    an = chat.user("tg-6")
    await an.says("/start DN01")
    await an.replies()
    await an.says("Ngô An")
    await an.next_reply()
    for bad in ("12345", "0123456789", "+1 415 555 0100", "số của tôi"):
        await an.says(bad)
        assert "Số điện thoại chưa đúng" in await an.next_reply()
        assert "Số điện thoại di động" in await an.next_reply()
    assert await identity_of(chat, "tg-6") is None


async def test_shared_own_contact_is_a_verified_phone(chat: ChatDriver) -> None:
    an = chat.user("tg-7")
    await an.says("/start DN01")
    await an.replies()
    await an.says("Ngô An")
    await an.next_reply()
    await an.says(kind=InboundKind.CONTACT, phone="0987654321", own_contact=True)
    await an.replies()
    identity, member = await identity_of(chat, "tg-7")
    assert identity.verified and member.phone == "0987654321"


async def test_free_text_from_a_stranger_starts_onboarding(chat: ChatDriver) -> None:
    an = chat.user("tg-8")
    await an.says("chào bot")
    assert "Chương trình" in await an.next_reply()
    assert "công đoàn cơ sở nào" in await an.next_reply()


async def test_name_with_digits_is_refused(chat: ChatDriver) -> None:
    an = chat.user("tg-9")
    await an.says("/start DN01")
    await an.replies()
    await an.says("Ngô An 123")
    assert "không nên có chữ số" in await an.next_reply()
    assert "Họ và tên" in await an.next_reply()

"""Linking chat accounts: codes (wrong, expired, reused), officer confirmation, counting rules."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.services import progress
from storage.models import AuditEntry, Identity
from tests.factories import Federation
from tests.fakes.driver import ChatDriver, ChatUser


async def code_for(chat: ChatDriver, phone: str) -> str:
    minh = await chat.member("0900000002")
    await minh.says(f"/maketnoi {phone}")
    reply = await minh.next_reply()
    assert "Mã liên kết cho" in reply
    return reply.split(": ")[1].split(" ")[0]


async def onboard_with_roster_phone(chat: ChatDriver, user_id: str, phone: str) -> ChatUser:
    user = chat.user(user_id)
    await user.says("/start DN01")
    await user.replies()
    await user.says("Nguyễn Thị Lan")
    await user.next_reply()
    await user.says(phone)
    await user.replies()
    return user


async def test_a_code_links_a_stranger_verified(chat: ChatDriver) -> None:
    code = await code_for(chat, "0900000005")
    nam = chat.user("zl-1")
    await nam.says(code)
    assert "Đã liên kết tài khoản với đoàn viên Đỗ Văn Nam" in await nam.next_reply()
    assert "Gõ số để chọn" in await nam.next_reply()
    async with chat.app.sessions() as session:
        identity = (await session.execute(select(Identity).where(Identity.user_id == "zl-1"))).scalar_one()
    assert identity.verified


async def test_a_code_works_at_the_unit_question_of_onboarding(chat: ChatDriver) -> None:
    code = await code_for(chat, "0900000005")
    nam = chat.user("zl-2")
    await nam.says("/start")
    await nam.replies()
    await nam.says(code)
    assert "Đã liên kết" in await nam.next_reply()
    await nam.next_reply()


async def test_a_code_is_used_once(chat: ChatDriver) -> None:
    code = await code_for(chat, "0900000005")
    await chat.user("zl-3").says(code)
    await chat.user("zl-3").replies()
    other = chat.user("zl-4")
    await other.says(code)
    assert "đã được dùng" in await other.next_reply()


async def test_a_wrong_code_is_refused_and_counted(chat: ChatDriver) -> None:
    await code_for(chat, "0900000005")
    guesser = chat.user("zl-5")
    for _ in range(5):
        await guesser.says("000000" if _ % 2 else "111111")
        assert "không đúng" in await guesser.next_reply()
    await guesser.says("222222")
    assert "sai mã nhiều lần" in await guesser.next_reply()
    async with chat.app.sessions() as session:
        failures = (await session.execute(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "link_code.failed"))).scalar_one()
    assert failures == 5


async def test_an_old_code_has_expired(chat: ChatDriver) -> None:
    code = await code_for(chat, "0900000005")
    chat.app.clock.advance(hours=73)
    late = chat.user("zl-6")
    await late.says(code)
    assert "đã hết hạn" in await late.next_reply()


async def test_an_officer_cannot_make_a_code_for_another_unit(chat: ChatDriver) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/maketnoi 0900000004")
    assert "chỉ thao tác được với đơn vị của mình, không phải TH01" in await minh.next_reply()
    await minh.says("/maketnoi 0999999999")
    assert "không có trong danh sách" in await minh.next_reply()


async def test_unverified_initiatives_count_once_the_officer_confirms(
        chat: ChatDriver, federation: Federation) -> None:
    lan = await onboard_with_roster_phone(chat, "tg-77", "0900000003")
    await lan.says("/sangkien Cải tiến sổ giao ca điện tử")
    await lan.replies()
    for answer in ["4", "Ghi sổ giao ca trên điện thoại thay cho sổ giấy.", "Không thất lạc sổ.", "0", "1"]:
        await lan.says(answer)
    done = (await lan.replies())[-1]
    assert "khi tài khoản của bạn được cán bộ công đoàn xác nhận" in done
    assert await dn01_count(chat, federation) == 0
    minh = await chat.member("0900000002")
    await minh.says("/xacminh")
    assert "nhận là đoàn viên Nguyễn Thị Lan" in await minh.next_reply()
    await minh.says("1")
    assert "đã xác nhận tài khoản" in await minh.next_reply()
    await minh.next_reply()
    assert "đã được cán bộ công đoàn xác nhận" in await lan.next_reply()
    assert await dn01_count(chat, federation) == 1


async def test_a_refused_account_is_unlinked_and_told(chat: ChatDriver) -> None:
    impostor = await onboard_with_roster_phone(chat, "tg-78", "0900000003")
    minh = await chat.member("0900000002")
    await minh.says("/xacminh")
    await minh.next_reply()
    await minh.says("2")
    await minh.replies()
    assert "chưa xác nhận được tài khoản" in await impostor.next_reply()
    async with chat.app.sessions() as session:
        left = (await session.execute(select(Identity).where(Identity.user_id == "tg-78"))).first()
    assert left is None


async def test_a_phone_already_linked_and_verified_cannot_be_claimed(chat: ChatDriver) -> None:
    await chat.member("0900000003")
    claimer = chat.user("memory-x")
    await claimer.says("/start DN01")
    await claimer.replies()
    await claimer.says("Nguyễn Thị Lan")
    await claimer.next_reply()
    await claimer.says("0900000003")
    assert "đã được liên kết với một tài khoản khác" in await claimer.next_reply()
    await claimer.next_reply()


async def dn01_count(chat: ChatDriver, federation: Federation) -> int:
    async with chat.app.sessions() as session:
        table = await progress.league_table(session, block=federation.units["KDN"],
                                            phase=federation.phase, statuses=("submitted", "approved"))
    return next(r.count for r in table if r.code == "DN01")


async def test_issuing_a_code_is_audited(chat: ChatDriver) -> None:
    await code_for(chat, "0900000005")
    async with chat.app.sessions() as session:
        issued = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == "link_code.issue"))).scalar_one()
    assert issued.actor_id is not None and issued.subject.startswith("member:")

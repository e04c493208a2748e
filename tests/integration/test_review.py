"""Review (/duyet): decisions, notifications, return → edit → resubmit, withdrawal, audit."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry, Initiative
from tests.factories import Federation, add_initiatives
from tests.fakes.driver import ChatDriver


async def status_of(chat: ChatDriver, number: str) -> tuple[str, str | None]:
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Initiative).where(Initiative.number == number))).scalar_one()
        return row.status, row.review_note


async def actions(chat: ChatDriver) -> list[str]:
    async with chat.app.sessions() as session:
        return list((await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars())


async def test_officer_approves_and_the_author_is_told(chat: ChatDriver, federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000003", 1)
    lan = await chat.member("0900000003")
    minh = await chat.member("0900000002")
    await minh.says("/duyet")
    shown = await minh.next_message()
    assert number in shown.text and "Nguyễn Thị Lan" in shown.text and shown.choices[0] == "Duyệt"
    await minh.says("1")
    assert "Đã duyệt" in await minh.next_reply()
    assert "Đã xem hết hàng chờ: 1 sáng kiến" in await minh.next_reply()
    assert f"Sáng kiến {number}" in await lan.next_reply()
    assert await status_of(chat, number) == ("approved", None)
    await lan.says("/cuatoi")
    assert "Đã duyệt" in await lan.next_reply()
    assert "review.approve" in await actions(chat)


async def test_return_needs_a_reason_then_edit_and_resubmit(chat: ChatDriver,
                                                            federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000003", 1)
    lan = await chat.member("0900000003")
    minh = await chat.member("0900000002")
    await minh.says("/duyet")
    await minh.next_reply()
    await minh.says("2")
    assert "bổ sung điều gì" in await minh.next_reply()
    await minh.says("ok")
    assert "quá ngắn" in await minh.next_reply()
    await minh.next_reply()
    await minh.says("Cần thêm số liệu tiết kiệm")
    await minh.replies()
    notice = await lan.next_reply()
    assert "Cần bổ sung" in notice and "Cần thêm số liệu" in notice and f"/sua {number}" in notice
    await lan.says("/cuatoi")
    assert "Lý do: Cần thêm số liệu tiết kiệm" in await lan.next_reply()
    await lan.says(f"/sua {number}")
    assert f"Sửa sáng kiến {number}" in await lan.next_reply()
    await lan.says("2")
    await lan.next_reply()
    await lan.says("4")
    await lan.next_reply()
    await lan.says("Tiết kiệm 20 triệu đồng mỗi năm nhờ giảm hao hụt.")
    assert "Tiết kiệm 20 triệu" in await lan.next_reply()
    await lan.says("1")
    assert "Đã cập nhật" in await lan.next_reply()
    assert await status_of(chat, number) == ("submitted", None)
    await minh.says("/duyet")
    assert number in await minh.next_reply()
    await minh.says("1")
    await minh.replies()
    await lan.replies()
    assert (await status_of(chat, number))[0] == "approved"


async def test_reject_requires_a_reason(chat: ChatDriver, federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000005", 1)
    minh = await chat.member("0900000002")
    await minh.says("/duyet")
    await minh.next_reply()
    await minh.says("3")
    assert "Lý do không duyệt" in await minh.next_reply()
    await minh.says("Trùng với sáng kiến năm trước")
    await minh.replies()
    assert await status_of(chat, number) == ("rejected", "Trùng với sáng kiến năm trước")


async def test_skip_shows_the_next_one(chat: ChatDriver, federation: Federation) -> None:
    first, second = await add_initiatives(chat.app, federation, "0900000005", 2)
    minh = await chat.member("0900000002")
    await minh.says("/duyet")
    assert first in await minh.next_reply()
    await minh.says("4")
    assert second in await minh.next_reply()


async def test_officer_sees_only_their_own_unit(chat: ChatDriver, federation: Federation) -> None:
    await add_initiatives(chat.app, federation, "0900000004", 1)
    minh = await chat.member("0900000002")
    await minh.says("/duyet")
    assert "Không có sáng kiến nào đang chờ duyệt" in await minh.next_reply()
    son = await chat.member("0900000007")
    await son.says("/duyet")
    assert "Phạm Quốc Huy" in await son.next_reply()


async def test_staff_review_the_whole_district(chat: ChatDriver, federation: Federation) -> None:
    await add_initiatives(chat.app, federation, "0900000004", 1)
    ha = await chat.member("0900000001")
    await ha.says("/duyet")
    assert "Phạm Quốc Huy" in await ha.next_reply()


async def test_a_decision_taken_by_someone_else_first_is_refused(chat: ChatDriver,
                                                                 federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000003", 1)
    minh = await chat.member("0900000002")
    ha = await chat.member("0900000001")
    await minh.says("/duyet")
    await minh.next_reply()
    await ha.says("/duyet")
    await ha.next_reply()
    await ha.says("1")
    await ha.replies()
    await minh.says("1")
    assert "vừa được người khác xử lý" in await minh.next_reply()
    await minh.replies()
    await (await chat.member("0900000003")).replies()
    assert (await status_of(chat, number))[0] == "approved"


async def test_author_withdraws_after_a_yes(chat: ChatDriver, federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000003", 1)
    lan = await chat.member("0900000003")
    await lan.says(f"/rut {number}")
    assert "Rút sáng kiến" in await lan.next_reply()
    await lan.says("1")
    assert "Đã rút" in await lan.next_reply()
    assert (await status_of(chat, number))[0] == "withdrawn"
    await lan.says(f"/rut {number}")
    assert "không sửa hay rút được nữa" in await lan.next_reply()
    assert await lan.replies() == []  # the refusal alone: no withdraw dialog left open


async def test_nobody_edits_someone_elses_initiative(chat: ChatDriver, federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000005", 1)
    lan = await chat.member("0900000003")
    await lan.says(f"/sua {number}")
    assert "Không tìm thấy sáng kiến" in await lan.next_reply()


async def test_duyet_with_a_number_opens_that_one_even_mid_review(chat: ChatDriver,
                                                                  federation: Federation) -> None:
    first, second = await add_initiatives(chat.app, federation, "0900000005", 2)
    minh = await chat.member("0900000002")
    await minh.says("/duyet")
    shown = await minh.next_reply()
    assert f"mới nhất: {second}, {first}" in shown and f"Sáng kiến {first}" in shown
    await minh.says(f"/duyet {second}")
    assert f"Sáng kiến {second}" in await minh.next_reply()
    await minh.says("1")
    assert f"Đã ghi: {second}" in await minh.next_reply()
    assert f"Sáng kiến {first}" in await minh.next_reply()

"""The registration dialog through the router, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import AuditEntry, DialogState, Initiative
from tests.fakes.driver import ChatDriver, ChatUser

TITLE = "Cải tiến quy trình nhập kho bằng mã QR"
CONTENT = "Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho."
EFFECT = "Giảm một nửa thời gian kiểm kê hằng tháng."
ANSWERS = [TITLE, "4", CONTENT, EFFECT, "200 triệu"]


async def count_initiatives(chat: ChatDriver) -> int:
    async with chat.app.sessions() as session:
        return (await session.execute(select(func.count(Initiative.id)))).scalar_one()


async def run_to_confirm(user: ChatUser) -> None:
    await user.says("/sangkien")
    assert "Bước 1/6" in await user.next_reply()
    for answer in ANSWERS:
        await user.says(answer)
        await user.next_reply()


async def test_whole_dialog_registers_an_initiative_with_a_number(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    assert "Tên sáng kiến" in await lan.next_reply()
    await lan.says(TITLE)
    field_question = await lan.next_message()
    assert "lĩnh vực" in field_question.text and "4. Kỹ thuật" in field_question.text
    assert field_question.choices[3] == "Kỹ thuật"
    await lan.says("4")
    assert "Nội dung" in await lan.next_reply()
    await lan.says(CONTENT)
    assert "Hiệu quả" in await lan.next_reply()
    await lan.says(EFFECT)
    assert "Giá trị làm lợi" in await lan.next_reply()
    await lan.says("1,5 tỷ")
    summary = await lan.next_reply()
    assert TITLE in summary and "1,5 tỷ đồng" in summary and "1. Gửi" in summary
    await lan.says("1")
    done = await lan.next_reply()
    assert "SK-000001" in done and "1 sáng kiến" in done
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Initiative))).scalar_one()
        states = (await session.execute(select(func.count(DialogState.id)))).scalar_one()
    assert (row.title, row.field, row.benefit_vnd, row.status) == (
        TITLE, "Kỹ thuật", 1_500_000_000, "submitted")
    assert states == 0


async def test_a_registration_leaves_one_audit_entry_by_its_author(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says(f"/sangkien {TITLE}")
    for answer in ["4", CONTENT, EFFECT, "0", "1"]:
        await lan.replies()
        await lan.says(answer)
    assert "SK-000001" in await lan.next_reply()
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Initiative))).scalar_one()
        entries = (await session.execute(select(AuditEntry))).scalars().all()
    assert [(e.action, e.subject, e.actor_id, e.after) for e in entries] == [
        ("initiative.register", f"initiative:{row.id}", row.member_id, {"status": "submitted"})]


async def test_title_after_the_command_fills_step_one(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says(f"/sangkien {TITLE}")
    assert "Bước 2/6" in await lan.next_reply()


async def test_skipping_the_benefit_with_bo_qua(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    for answer in [TITLE, "4", CONTENT, EFFECT, "bo qua"]:
        await lan.says(answer)
        reply = await lan.next_reply()
    assert "không tính" in reply


@pytest.mark.parametrize("stop_after", range(6))
async def test_draft_survives_restart_after_each_step(chat: ChatDriver, stop_after: int) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    for answer in ANSWERS[:stop_after]:
        await lan.says(answer)
        await lan.next_reply()
    await chat.restart()
    for answer in ANSWERS[stop_after:]:
        await lan.says(answer)
        await lan.next_reply()
    await lan.says("1")
    assert "SK-" in await lan.next_reply()
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Initiative))).scalar_one()
    assert (row.title, row.content, row.effect, row.benefit_vnd) == (
        TITLE, CONTENT, EFFECT, 200_000_000)


async def test_edit_a_field_from_the_summary(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await run_to_confirm(lan)
    await lan.says("2")
    assert "sửa mục nào" in await lan.next_reply()
    await lan.says("1")
    assert "Bước 1/6" in await lan.next_reply()
    await lan.says("Tên mới của sáng kiến")
    summary = await lan.next_reply()
    assert "Tên: Tên mới của sáng kiến" in summary and "Bước 6/6" in summary


async def test_cancel_keeps_the_draft_and_sangkien_offers_to_resume(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    await lan.says(TITLE)
    await lan.next_reply()
    await lan.says("/huy")
    assert "giữ 7 ngày" in await lan.next_reply()
    await lan.says("/sangkien")
    offer = await lan.next_reply()
    assert "bản nháp" in offer and "1. Tiếp tục bản nháp" in offer
    await lan.says("1")
    assert "Bước 2/6" in await lan.next_reply()


async def test_starting_over_discards_the_kept_draft(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    await lan.says(TITLE)
    await lan.next_reply()
    await lan.says("/huy")
    await lan.next_reply()
    await lan.says("/sangkien")
    await lan.next_reply()
    await lan.says("2")
    assert "Bước 1/6" in await lan.next_reply()


async def test_sangkien_during_a_dialog_offers_continue_or_start_over(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    await lan.says(TITLE)
    await lan.next_reply()
    await lan.says("/sangkien")
    offer = await lan.next_reply()
    assert "1. Tiếp tục phần đang làm" in offer and "2. Làm lại từ đầu" in offer
    await lan.says("1")
    assert "Bước 2/6" in await lan.next_reply()
    await lan.says("/sangkien")
    await lan.next_reply()
    await lan.says("2")
    assert "Bước 1/6" in await lan.next_reply()


async def test_confirm_cancel_keeps_the_draft(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await run_to_confirm(lan)
    await lan.says("3")
    assert "Đã dừng" in await lan.next_reply()
    assert await count_initiatives(chat) == 0


async def test_help_inside_a_step_explains_it_and_asks_again(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    await lan.says("/trogiup")
    assert "Đặt tên ngắn gọn" in await lan.next_reply()
    assert "Bước 1/6" in await lan.next_reply()


async def test_closed_phase_refuses_with_the_next_phase(chat: ChatDriver) -> None:
    from sqlalchemy import update

    from storage.models import Phase

    async with chat.app.sessions() as session, session.begin():
        await session.execute(update(Phase).values(status="closed").where(Phase.number == 1))
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    reply = await lan.next_reply()
    assert "chưa có giai đoạn nào mở" in reply and "Giai đoạn 2 bắt đầu từ" in reply


async def test_html_in_a_title_is_stored_as_typed_and_shown_literally(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    await lan.says("<b>Máy</b> cắt & <script>x</script>")
    await lan.next_reply()
    async with chat.app.sessions() as session:
        state = (await session.execute(select(DialogState))).scalar_one()
    assert state.draft["title"] == "<b>Máy</b> cắt & <script>x</script>"

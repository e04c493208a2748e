"""/dot in chat: district staff list, open and close phases, start sprints and set targets."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import unit_of_work
from storage.models import AuditEntry, Member, Phase, Sprint, Target
from tests.factories import Federation
from tests.fakes.driver import ChatDriver, ChatUser


async def staff(chat: ChatDriver) -> ChatUser:
    ha = await chat.member("0900000001")
    await ha.says("/dot")
    await ha.next_message()
    return ha


async def actions(chat: ChatDriver) -> list[tuple[str, int | None]]:
    async with chat.app.sessions() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [(e.action, e.actor_id) for e in rows]


async def staff_id(chat: ChatDriver) -> int:
    async with chat.app.sessions() as session:
        return (await session.execute(select(Member.id).where(
            Member.phone == "0900000001"))).scalar_one()


async def test_dot_lists_phases_with_dates_status_and_the_running_sprint(
        chat: ChatDriver, federation: Federation) -> None:
    ha = await chat.member("0900000001")
    await ha.says("/dot")
    menu = await ha.next_message()
    assert "1. Giai đoạn 1: 01/10/2026 – 31/12/2026, đang mở; 4 đơn vị có chỉ tiêu." in menu.text
    assert "Đang chạy: Đợt cao điểm 35 ngày (15/11/2026 – 19/12/2026)" in menu.text
    assert "2. Giai đoạn 2: 01/01/2027 – 31/05/2027, chưa mở" in menu.text
    assert menu.choices[:2] == ("Mở giai đoạn", "Đóng giai đoạn đang mở") and len(menu.choices) == 5


async def test_members_and_officers_are_refused_dot(chat: ChatDriver) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/dot")
    assert "Lệnh /dot chỉ dành cho cán bộ LĐLĐ, quản trị viên" in await minh.next_reply()


async def test_opening_while_a_phase_is_open_is_refused_and_the_menu_comes_back(
        chat: ChatDriver) -> None:
    ha = await staff(chat)
    await ha.says("1")
    assert "Giai đoạn 1 đang mở; mỗi lúc chỉ mở được một giai đoạn" in await ha.next_reply()
    assert "Bạn muốn làm gì?" in await ha.next_reply()


async def test_close_then_sangkien_names_the_next_phase_then_open_it(chat: ChatDriver) -> None:
    ha = await staff(chat)
    await ha.says("2")
    assert "Đóng Giai đoạn 1?" in await ha.next_reply()
    await ha.says("1")
    assert "Giai đoạn tiếp theo: Giai đoạn 2, bắt đầu 01/01/2027" in await ha.next_reply()
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    assert "Giai đoạn 2 bắt đầu từ 01/01/2027" in await lan.next_reply()
    await ha.says("/dot")
    await ha.next_reply()
    await ha.says("1")
    pick = await ha.next_message()
    assert pick.choices == ("Giai đoạn 1", "Giai đoạn 2")
    await ha.says("2")
    assert "Đã mở Giai đoạn 2" in await ha.next_reply()
    await lan.says("/sangkien")
    assert "Bước 1/6" in await lan.next_reply()
    me = await staff_id(chat)
    assert await actions(chat) == [("phase.close", me), ("phase.open", me)]


async def test_back_from_closing_leaves_the_phase_open(chat: ChatDriver) -> None:
    ha = await staff(chat)
    await ha.says("2")
    await ha.next_reply()
    await ha.says("2")
    assert "Bạn muốn làm gì?" in await ha.next_reply()
    assert await actions(chat) == []


async def test_sprint_takes_the_default_or_typed_days_inside_the_phase(
        chat: ChatDriver, federation: Federation) -> None:
    async with unit_of_work(chat.app.sessions) as session:
        await session.delete(await session.get(Sprint, federation.sprint.id))
    ha = await staff(chat)
    await ha.says("3")
    assert 'hoặc "ok" để lấy mặc định 35 ngày' in await ha.next_reply()
    await ha.says("60")
    assert "phải nằm trong Giai đoạn 1" in await ha.next_reply()
    assert "Đợt dài bao nhiêu ngày?" in await ha.next_reply()
    await ha.says("mấy ngày cũng được")
    assert "Hãy gõ số ngày của đợt" in await ha.next_reply()
    await ha.next_reply()
    await ha.says("ok")
    assert "Đã bắt đầu Đợt cao điểm 35 ngày trong Giai đoạn 1: 24/11/2026 – 28/12/2026" in (
        await ha.next_reply())
    assert [a for a, _ in await actions(chat)] == ["sprint.start"]


async def test_copy_last_phase_targets_to_the_next_phase(chat: ChatDriver,
                                                         federation: Federation) -> None:
    ha = await staff(chat)
    await ha.says("4")
    assert "Chép chỉ tiêu của 4 đơn vị từ Giai đoạn 1 sang Giai đoạn 2?" in await ha.next_reply()
    await ha.says("1")
    assert "Đã chép chỉ tiêu từ Giai đoạn 1 sang Giai đoạn 2: 4 đơn vị" in await ha.next_reply()
    async with chat.app.sessions() as session:
        rows = (await session.execute(select(Target).where(
            Target.phase_id == federation.next_phase.id))).scalars().all()
    assert sorted(t.target for t in rows) == [5, 8, 8, 10]


async def test_set_one_units_target_picking_the_phase(chat: ChatDriver,
                                                      federation: Federation) -> None:
    ha = await staff(chat)
    await ha.says("5")
    assert "Mã công đoàn cơ sở" in await ha.next_reply()
    await ha.says("KDN")
    assert "KDN không phải công đoàn cơ sở" in await ha.next_reply()
    await ha.next_reply()
    await ha.says("dn01")
    assert (await ha.next_message()).choices == ("Giai đoạn 1", "Giai đoạn 2")
    await ha.says("1")
    assert "trong Giai đoạn 1 (hiện là 10)?" in await ha.next_reply()
    await ha.says("-3")
    assert "số nguyên không âm" in await ha.next_reply()
    await ha.next_reply()
    await ha.says("15")
    assert "Chỉ tiêu của DN01 (Công ty May Sông Hồng) trong Giai đoạn 1: 10 → 15" in (
        await ha.next_reply())
    assert await actions(chat) == [("target.set", await staff_id(chat))]


async def test_with_only_one_phase_left_the_target_phase_is_not_asked(
        chat: ChatDriver, federation: Federation) -> None:
    async with unit_of_work(chat.app.sessions) as session:
        await session.delete(await session.get(Phase, federation.next_phase.id))
    ha = await staff(chat)
    await ha.says("5")
    await ha.next_reply()
    await ha.says("TH02")
    assert "Chỉ tiêu mới của TH02" in await ha.next_reply()

"""/lienket: linking a group chat to a unit, and who may move a group that already has one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import unit_of_work
from storage.models import AuditEntry, Chat, Member, Role, Unit
from tests.factories import Federation
from tests.fakes.driver import ChatDriver, ChatUser

TH01_NAME = "Trường Tiểu học số 1 Đông Anh"
SUBJECT = "chat:memory:g-TH01"


async def th01_group(chat: ChatDriver) -> ChatUser:
    """Son, TH01's officer, links group g-TH01 to TH01; return him in his private chat."""
    son = await chat.member("0900000007")
    await son.in_group("TH01").says("/lienket TH01")
    assert "Đã liên kết nhóm này với" in await son.in_group("TH01").next_reply()
    return son


async def unit_of_group(chat: ChatDriver, group: str) -> str | None:
    """Return the code of the unit group chat `g-<group>` is linked to."""
    stmt = (select(Unit.code).select_from(Chat).outerjoin(Unit, Unit.id == Chat.unit_id)
            .where(Chat.channel == "memory", Chat.chat_id == f"g-{group}"))
    async with chat.app.sessions() as session:
        return (await session.execute(stmt)).scalar_one()


async def audit_rows(chat: ChatDriver) -> list[dict[str, Any]]:
    async with chat.app.sessions() as session:
        rows = (await session.execute(select(AuditEntry).where(AuditEntry.action.like("chat.%"))
                                      .order_by(AuditEntry.id))).scalars().all()
        return [{"actor": r.actor_id, "action": r.action, "subject": r.subject,
                 "before": r.before, "after": r.after} for r in rows]


async def add_block_staff(chat: ChatDriver, fed: Federation, block: str) -> ChatUser:
    """A staff member of one block (their scope is that block's unions only)."""
    async with unit_of_work(chat.app.sessions) as session:
        session.add(Member(unit_id=fed.units[block].id, name="Ngô Văn Khối", phone="0900000010",
                           role=Role.STAFF))
    return await chat.member("0900000010")


async def test_an_officer_cannot_take_over_another_units_group(chat: ChatDriver) -> None:
    await th01_group(chat)
    minh = (await chat.member("0900000002")).in_group("TH01")
    await minh.says("/lienket DN01")
    reply = await minh.next_reply()
    assert f"đã được liên kết với {TH01_NAME} (TH01)" in reply and "cán bộ LĐLĐ" in reply
    assert await unit_of_group(chat, "TH01") == "TH01"


async def test_a_refused_takeover_is_recorded_in_the_audit_log(chat: ChatDriver,
                                                               federation: Federation) -> None:
    await th01_group(chat)
    minh = (await chat.member("0900000002")).in_group("TH01")
    await minh.says("/lienket DN01")
    await minh.next_reply()
    refused = (await audit_rows(chat))[-1]
    assert refused == {"actor": federation.members["0900000002"].id, "action": "chat.link_refused",
                       "subject": SUBJECT, "before": {"unit": "TH01"}, "after": {"unit": "DN01"}}


async def test_the_first_link_is_recorded_in_the_audit_log(chat: ChatDriver,
                                                           federation: Federation) -> None:
    await th01_group(chat)
    assert await audit_rows(chat) == [{
        "actor": federation.members["0900000007"].id, "action": "chat.link", "subject": SUBJECT,
        "before": {"unit": None}, "after": {"unit": "TH01"}}]


async def test_linking_again_to_the_same_unit_changes_nothing_and_says_so(chat: ChatDriver) -> None:
    son = await th01_group(chat)
    await son.in_group("TH01").says("/lienket TH01")
    assert f"đã liên kết với {TH01_NAME} (TH01) rồi" in await son.in_group("TH01").next_reply()
    assert [row["action"] for row in await audit_rows(chat)] == ["chat.link"]


async def test_staff_moving_a_linked_group_are_asked_to_confirm_first(chat: ChatDriver) -> None:
    await th01_group(chat)
    ha = (await chat.member("0900000001")).in_group("TH01")
    await ha.says("/lienket DN01")
    reply = await ha.next_reply()
    assert f"đang liên kết với {TH01_NAME} (TH01)" in reply and "/lienket DN01 chuyen" in reply
    assert await unit_of_group(chat, "TH01") == "TH01"
    assert [row["action"] for row in await audit_rows(chat)] == ["chat.link"]


async def test_staff_move_a_linked_group_with_the_confirmation_word(chat: ChatDriver,
                                                                    federation: Federation) -> None:
    son = await th01_group(chat)
    ha = (await chat.member("0900000001")).in_group("TH01")
    await ha.says("/lienket DN01 chuyen")
    reply = await ha.next_reply()
    assert "Đã chuyển nhóm này từ" in reply and "sang Công ty May Sông Hồng (DN01)" in reply
    await son.next_reply()
    assert await unit_of_group(chat, "TH01") == "DN01"
    assert (await audit_rows(chat))[-1] == {
        "actor": federation.members["0900000001"].id, "action": "chat.relink", "subject": SUBJECT,
        "before": {"unit": "TH01"}, "after": {"unit": "DN01"}}


async def test_the_confirmation_word_may_carry_its_diacritics(chat: ChatDriver) -> None:
    son = await th01_group(chat)
    ha = (await chat.member("0900000001")).in_group("TH01")
    await ha.says("/lienket DN01 Chuyển")
    assert "Đã chuyển nhóm này" in await ha.next_reply()
    await son.next_reply()
    assert await unit_of_group(chat, "TH01") == "DN01"


async def test_officers_of_the_unit_that_lost_its_group_are_told(chat: ChatDriver) -> None:
    son = await th01_group(chat)
    ha = (await chat.member("0900000001")).in_group("TH01")
    await ha.says("/lienket DN01 chuyen")
    assert "Đã báo cho 1 cán bộ của TH01" in await ha.next_reply()
    notice = await son.next_reply()
    assert "không còn liên kết với" in notice and "Lê Thị Thu Hà" in notice
    assert "Công ty May Sông Hồng (DN01)" in notice and "/lienket TH01" in notice


async def test_moving_a_group_from_a_unit_nobody_can_be_told_in_says_so(chat: ChatDriver) -> None:
    ha = (await chat.member("0900000001")).in_group("TH02")
    await ha.says("/lienket TH02")
    await ha.next_reply()
    await ha.says("/lienket DN01 chuyen")
    assert "hãy báo cho cán bộ của TH02" in await ha.next_reply()
    assert await unit_of_group(chat, "TH02") == "DN01"


async def test_staff_whose_scope_misses_the_groups_unit_cannot_move_it(
        chat: ChatDriver, federation: Federation) -> None:
    await th01_group(chat)
    khoi = (await add_block_staff(chat, federation, "KDN")).in_group("TH01")
    await khoi.says("/lienket DN01 chuyen")
    assert f"đã được liên kết với {TH01_NAME} (TH01)" in await khoi.next_reply()
    assert await unit_of_group(chat, "TH01") == "TH01"
    assert (await audit_rows(chat))[-1]["action"] == "chat.link_refused"


async def test_staff_cannot_link_a_group_to_a_unit_outside_their_scope(
        chat: ChatDriver, federation: Federation) -> None:
    khoi = (await add_block_staff(chat, federation, "KDN")).in_group("TH02")
    await khoi.says("/lienket TH02")
    assert "chỉ liên kết được nhóm với đơn vị của mình" in await khoi.next_reply()
    assert await audit_rows(chat) == []

"""Duplicate hints, the duplicates report, eligibility rules and the portal hand-off."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.services import duplicates
from storage.db import unit_of_work
from storage.models import Initiative, Unit
from storage.repositories import initiatives, units
from storage.work import begin as begin_work
from tests.factories import Federation, add_initiatives
from tests.fakes.driver import ChatDriver

TITLE = "Cải tiến quy trình nhập kho bằng mã QR"


async def test_similar_titles_are_shown_after_step_one(chat: ChatDriver, federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000006", 1, title=TITLE)
    lan = await chat.member("0900000003")
    await lan.says("/sangkien cai tien quy trinh nhap kho bang ma QR")
    hint = await lan.next_reply()
    assert f"{number} (DN02): {TITLE}" in hint and "/huy" in hint
    assert hint.index("/huy") < hint.index("Bước 2/6")


async def test_no_hint_for_a_new_idea_or_another_block(chat: ChatDriver, federation: Federation) -> None:
    await add_initiatives(chat.app, federation, "0900000004", 1, title=TITLE)
    lan = await chat.member("0900000003")
    await lan.says(f"/sangkien {TITLE}")
    assert "Bước 2/6" in await lan.next_reply()


async def test_the_hint_looks_in_the_block_that_block_of_names_for_every_unit(
        chat: ChatDriver, federation: Federation) -> None:
    # The hint's one statement finds the block from the paths; `units.block_of` is the rule (the
    # deepest block above the unit, else its parent, else the unit itself).
    for phone in federation.members:
        await add_initiatives(chat.app, federation, phone, 1)
    assert federation.phase is not None
    async with unit_of_work(chat.app.sessions) as session:
        everything = (await session.execute(select(Initiative.unit_id))).scalars().all()
        expected = {}
        for unit in federation.units.values():
            block = await units.block_of(session, unit) or unit
            expected[unit.code] = sorted(
                u.code for u in [await session.get(Unit, unit_id) for unit_id in everything]
                if u is not None and u.path.startswith(block.path))
    for unit in federation.units.values():
        async with begin_work(chat.app.engine) as work:
            rows = await initiatives.titles_in_block(work, unit_id=unit.id,
                                                     phase_id=federation.phase.id)
        assert sorted(code for *_, code in rows) == expected[unit.code], unit.code
    assert len({tuple(codes) for codes in expected.values()}) > 2  # blocks, parents and selves


async def test_report_lists_the_same_text_registered_by_several_people(
        chat: ChatDriver, federation: Federation) -> None:
    first = await add_initiatives(chat.app, federation, "0900000006", 1, title=TITLE)
    second = await add_initiatives(chat.app, federation, "0900000005", 1, title=TITLE.upper())
    await add_initiatives(chat.app, federation, "0900000003", 1, title="Trồng cây xanh quanh xưởng")
    async with chat.app.sessions() as session:
        pairs = await duplicates.duplicate_pairs(session, phase_id=federation.phase.id)
    assert [(p.first, p.second) for p in pairs] == [(first[0], second[0])]
    assert pairs[0].score == 100.0 and {pairs[0].first_unit, pairs[0].second_unit} == {"DN01", "DN02"}


async def run_to_summary(chat: ChatDriver):
    lan = await chat.member("0900000003")
    await lan.says(f"/sangkien {TITLE}")
    await lan.replies()
    for answer in ["4", "Dán mã QR lên từng kệ và quét bằng điện thoại.", "Nhanh gấp đôi.", "0"]:
        await lan.says(answer)
        await lan.replies()
    return lan


async def test_applied_since_must_fall_inside_the_phase(chat: ChatDriver, federation: Federation) -> None:
    lan = await run_to_summary(chat)
    await lan.says("2")
    await lan.next_reply()
    await lan.says("6")
    assert "áp dụng từ ngày nào" in await lan.next_reply()
    before = (federation.phase.starts_on - timedelta(days=1)).strftime("%d/%m/%Y")
    await lan.says(before)
    assert "phải trong thời gian của giai đoạn" in await lan.next_reply()
    await lan.next_reply()
    await lan.says("31/02/2026")
    assert "Chưa hiểu ngày" in await lan.next_reply()
    await lan.next_reply()
    day = federation.phase.starts_on.strftime("%d/%m/%Y")
    await lan.says(day)
    assert f"Áp dụng từ: {day}" in await lan.next_reply()
    await lan.says("1")
    await lan.next_reply()
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Initiative))).scalar_one()
    assert row.applied_since == federation.phase.starts_on


async def test_a_technology_secret_keeps_no_content(chat: ChatDriver, federation: Federation) -> None:
    lan = await run_to_summary(chat)
    await lan.says("2")
    await lan.next_reply()
    await lan.says("7")
    await lan.next_reply()
    await lan.says("1")
    assert "nội dung sẽ không được lưu" in await lan.next_reply()
    await lan.says("1")
    await lan.next_reply()
    async with chat.app.sessions() as session:
        row = (await session.execute(select(Initiative))).scalar_one()
    assert row.tech_secret and row.content == "" and row.effect == "Nhanh gấp đôi."


async def test_staff_mark_initiatives_entered_on_the_portal(chat: ChatDriver,
                                                            federation: Federation) -> None:
    numbers = await add_initiatives(chat.app, federation, "0900000003", 2)
    ha = await chat.member("0900000001")
    await ha.says(f"/daportal {numbers[0]} {numbers[1].lower()}")
    assert f"{numbers[0]}, {numbers[1]}" in await ha.next_reply()
    async with chat.app.sessions() as session:
        marked = (await session.execute(select(Initiative.portal_entered_at))).scalars().all()
    assert all(marked)
    minh = await chat.member("0900000002")
    await minh.says(f"/daportal {numbers[0]}")
    assert "chỉ dành cho cán bộ LĐLĐ" in await minh.next_reply()

"""/baocao: an officer's union digest now; staff get their blocks."""

from __future__ import annotations

from tests.fakes.driver import ChatDriver
from tests.integration.jobs.conftest import World


async def test_baocao_gives_an_officer_the_union_digest_now(world: World) -> None:
    officer = await ChatDriver(world.app).member("0900000002")
    await officer.says("/baocao")
    text = await officer.next_reply()
    assert "Bản tin Công ty May Sông Hồng" in text and "Tổng cả giai đoạn: 6/7, đạt 86% kế hoạch" in text
    assert "Sáng kiến mới ngày 24/11/2026: 1" in text


async def test_baocao_gives_staff_the_blocks_of_their_district(world: World) -> None:
    staff = await ChatDriver(world.app).member("0900000001")
    await staff.says("bao cao")
    text = await staff.next_reply()
    assert "Khối KDN: 6/12 sáng kiến" in text and "Khối KHC: 11/16 sáng kiến" in text


async def test_a_member_may_not_ask_for_the_digest(world: World) -> None:
    member = await ChatDriver(world.app).member("0900000003")
    await member.says("/baocao")
    assert "cán bộ công đoàn cơ sở" in await member.next_reply()

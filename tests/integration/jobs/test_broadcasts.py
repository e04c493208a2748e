"""Staff broadcasts: the dialog's preview count is what gets sent; cancel before it goes; budgets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from handlers.services.outreach import FixedBudgets
from schedules.catchup import catch_up
from tests.fakes.driver import ChatDriver, ChatUser
from tests.integration.jobs.conftest import FIRED, World

NOON = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


@pytest.fixture
def driver(world: World) -> ChatDriver:
    world.clock.current = NOON
    return ChatDriver(world.app)


@pytest.fixture
async def staff(driver: ChatDriver) -> ChatUser:
    return await driver.member("0900000001")


def outreach(world: World) -> list[str]:
    """What the jobs sent: everything but the dialog with the staff member."""
    return [m.text for m in world.channel.sent if m.chat.chat_id != "u0900000001"]


async def write(staff: ChatUser, *answers: str) -> list[str]:
    replies = []
    for answer in answers:
        await staff.says(answer)
        replies += await staff.replies()
    return replies


async def test_broadcast_to_all_groups_sends_exactly_the_previewed_count(world: World,
                                                                         staff: ChatUser) -> None:
    replies = await write(staff, "/thongbao", "1", "Họp giao ban chiều nay lúc 14:00.", "ngay")
    preview = replies[-1]
    assert "Số nơi nhận: 4 nhóm" in preview
    assert "📢 Thông báo của LĐLĐ huyện Thử Nghiệm:\nHọp giao ban chiều nay lúc 14:00." in preview
    confirmed = await write(staff, "1")
    assert "Đã nhận thông báo #1 tới 4 nơi nhận" in confirmed[0]
    outcome = await world.fire("broadcasts", NOON + timedelta(minutes=1))
    groups = [m for m in world.channel.sent if m.chat.is_group]
    assert len(groups) == 4 == int(re.search(r"Số nơi nhận: (\d+)", preview).group(1))
    assert outcome.count == 5  # four groups and the report to the author
    assert "Thông báo #1 đã gửi tới 4/4 nơi nhận." in world.texts("u1")[0]
    again = await world.fire("broadcasts", NOON + timedelta(minutes=2))
    assert again.count == 0 and len([m for m in world.channel.sent if m.chat.is_group]) == 4


async def test_broadcast_to_silent_members_goes_by_dm_and_skips_the_opted_out(
        world: World, driver: ChatDriver, staff: ChatUser) -> None:
    mai = driver.user("u6")
    await mai.says("/tatnhacnho")
    await mai.next_reply()
    replies = await write(staff, "/thongbao", "4", "Mỗi đoàn viên một sáng kiến nhé!", "ngay")
    assert "Số nơi nhận: 2 tin riêng" in replies[-1]  # the two silent officers; Mai opted out
    await write(staff, "1")
    await world.fire("broadcasts", NOON + timedelta(minutes=1))
    assert "Mỗi đoàn viên một sáng kiến nhé!" in world.texts("u2")[0]
    assert "Mỗi đoàn viên một sáng kiến nhé!" in world.texts("u7")[0]
    assert not any("Mỗi đoàn viên một sáng kiến" in t for t in world.texts("u6"))


async def test_broadcast_to_lagging_units_reaches_their_groups_only(world: World,
                                                                  staff: ChatUser) -> None:
    replies = await write(staff, "/thongbao", "3", "Đề nghị các đơn vị tăng tốc.", "ngay")
    assert "Số nơi nhận: 2 nhóm" in replies[-1]
    await write(staff, "1")
    await world.fire("broadcasts", NOON + timedelta(minutes=1))
    assert {m.chat.chat_id for m in world.channel.sent if m.chat.is_group} == {"g-DN02", "g-TH02"}


async def test_broadcast_to_a_block_and_to_one_unit(world: World, staff: ChatUser) -> None:
    replies = await write(staff, "/thongbao", "2")
    assert "1. Khối KDN" in replies[-1]
    replies = await write(staff, "1", "Khối doanh nghiệp chú ý.", "ngay")
    assert "Số nơi nhận: 2 nhóm" in replies[-1]
    await write(staff, "1")
    replies = await write(staff, "/thongbao", "5", "TH01", "Chúc mừng trường!", "ngay")
    assert "Số nơi nhận: 1 nhóm" in replies[-1]
    await write(staff, "1")
    await world.fire("broadcasts", NOON + timedelta(minutes=1))
    assert world.texts("g-TH01") == ["📢 Thông báo của LĐLĐ huyện Thử Nghiệm:\nChúc mừng trường!"]
    assert len(world.texts("g-DN01")) == 1 and world.texts("g-TH02") == []


async def test_a_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled(world: World,
                                                                            staff: ChatUser) -> None:
    replies = await write(staff, "/thongbao", "1", "Nhắc họp sáng mai.", "17:30", "1")
    assert "sẽ gửi lúc 17:30 ngày 25/11/2026" in replies[-1]
    await world.fire("broadcasts", NOON + timedelta(minutes=1))
    assert outreach(world) == []
    replies = await write(staff, "/thongbao")
    assert "6. Huỷ một thông báo đã hẹn giờ (1)" in replies[-1]
    replies = await write(staff, "6")
    assert "1. #1 lúc 17:30 ngày 25/11/2026: Nhắc họp sáng mai." in replies[-1]
    assert "Đã huỷ thông báo #1" in (await write(staff, "1"))[0]
    await world.fire("broadcasts", datetime(2026, 11, 25, 10, 31, tzinfo=UTC))
    assert outreach(world) == []


async def test_a_broadcast_due_while_every_worker_was_down_leaves_at_start_up_once(
        world: World, staff: ChatUser) -> None:
    await write(staff, "/thongbao", "1", "Nhắc họp sáng mai.", "17:30", "1")
    # No worker ran the 17:30 check (killed, restarting); one starts at 17:30:40.
    started = datetime(2026, 11, 25, 10, 30, 40, tzinfo=UTC)
    world.clock.current = started
    [caught] = await catch_up(world.ctx, [world.specs["broadcasts"]], now=started)
    assert caught.state == "done" and caught.count == 5
    # The second worker starts too: the slot is taken, nothing goes twice.
    [again] = await catch_up(world.ctx, [world.specs["broadcasts"]], now=started)
    assert again.state == "already"
    assert (await world.fire("broadcasts", started + timedelta(seconds=20))).count == 0
    assert len(outreach(world)) == 5


async def test_a_broadcast_due_in_quiet_hours_waits_until_morning(world: World,
                                                                  staff: ChatUser) -> None:
    await write(staff, "/thongbao", "1", "Tin buổi tối.", "21:30", "1")
    night = await world.fire("broadcasts", datetime(2026, 11, 25, 14, 31, tzinfo=UTC))
    assert night.state == "skipped" and outreach(world) == []
    morning = await world.fire("broadcasts", datetime(2026, 11, 26, 0, 0, tzinfo=UTC))
    assert morning.count == 5


async def test_bad_time_and_past_time_are_refused_with_the_question_again(world: World,
                                                                          staff: ChatUser) -> None:
    await write(staff, "/thongbao", "1", "Nội dung thử.")
    replies = await write(staff, "hôm qua")
    assert "Không hiểu thời gian này" in replies[0] and "Bước 3/4" in replies[1]
    replies = await write(staff, "25/11 08:00")
    assert "08:00 ngày 25/11/2026 đã qua" in replies[0]


async def test_members_and_officers_cannot_broadcast(driver: ChatDriver) -> None:
    officer = await driver.member("0900000002")
    await officer.says("/thongbao")
    assert "cán bộ LĐLĐ" in await officer.next_reply()


async def test_a_short_budget_sends_lagging_units_first_and_tells_staff(world: World) -> None:
    ctx = world.ctx
    import dataclasses

    short = dataclasses.replace(ctx, quota=FixedBudgets({"memory": 2}))
    outcome = await world.fire("urge_units", FIRED, ctx=short)
    assert outcome.left_out == 2
    sent = {m.chat.chat_id for m in world.channel.sent if m.chat.is_group}
    assert sent == {"g-DN02", "g-TH02"}  # 0% and 25% before 86% and 113%
    [notice] = world.texts("u1")
    assert "2 tin chưa gửi được vì hết hạn mức" in notice
    assert "Đơn vị chưa nhận được: DN01, TH01." in notice


async def test_the_monthly_quota_spends_on_lagging_units_first(world: World) -> None:
    import dataclasses

    from handlers.services.quota import MonthlyQuotas

    assert world.ctx.quota == MonthlyQuotas({"zalo": 3000}, tz=world.app.config.programme.tz)
    short = dataclasses.replace(world.ctx, quota=MonthlyQuotas({"memory": 2}))
    outcome = await world.fire("urge_units", FIRED, ctx=short)
    assert outcome.left_out == 2
    assert {m.chat.chat_id for m in world.channel.sent if m.chat.is_group} == {"g-DN02", "g-TH02"}
    world.texts("u1")

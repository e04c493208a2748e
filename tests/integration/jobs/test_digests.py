"""Officer and district digests, the weekly league and the sprint countdown, on fixed days."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.jobs.conftest import World


async def test_officer_digest_tells_each_officer_about_their_union(world: World) -> None:
    outcome = await world.fire("officer_digest", datetime(2026, 11, 25, 0, 30, tzinfo=UTC))
    assert outcome.count == 2
    text = world.texts("u2")[0]
    assert "Bản tin Công ty May Sông Hồng" in text
    assert "Sáng kiến mới ngày 24/11/2026: 1" in text
    assert "Tổng cả giai đoạn: 6/7, đạt 86% kế hoạch" in text
    assert "Chờ duyệt: 6" in text
    assert "Đoàn viên chưa có sáng kiến: 1" in text  # the officer himself
    assert "Xếp thứ 1/2 trong Khối KDN" in text
    assert "Bản tin Trường Tiểu học số 1 Đông Anh" in world.texts("u7")[0]
    assert world.texts("u3") == [] and world.texts("u1") == []


async def test_pending_review_counts_only_submitted_initiatives(world: World) -> None:
    from tests.factories import add_initiatives

    await add_initiatives(world.app, world.fed, "0900000005", 2, status="approved")
    await world.fire("officer_digest", datetime(2026, 11, 25, 0, 30, tzinfo=UTC))
    text = world.texts("u2")[0]
    assert "Tổng cả giai đoạn: 8/7, đạt 114% kế hoạch" in text and "Chờ duyệt: 6" in text


async def test_district_digest_gives_staff_block_totals_laggards_and_forecast(world: World) -> None:
    await world.fire("district_digest", datetime(2026, 11, 25, 0, 45, tzinfo=UTC))
    [text] = world.texts("u1")
    assert "Khối KDN: 6/12 sáng kiến, đạt 50% (2 đơn vị)" in text
    assert "Đơn vị chậm tiến độ: DN02 (0%)." in text
    # KHC: 11/16; 9 in the last 7 days → 11 + 9/7 × 38 days ≈ 59.9 → 374%.
    assert "Khối KHC: 11/16 sáng kiến, đạt 69% (2 đơn vị)" in text
    assert "7 ngày qua: 9 sáng kiến; giữ nhịp này, hết giai đoạn ước đạt 374%." in text
    assert "DN02" not in text.split("Khối KHC")[1]
    assert "TH02 (25%)" in text


async def test_weekly_league_posts_each_block_table_in_the_district_group(world: World) -> None:
    outcome = await world.fire("weekly_league", datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    assert outcome.count == 2
    kdn, khc = world.texts("g-LDLD-T")
    assert "Bảng xếp hạng Khối KDN" in kdn and "1. Công ty May Sông Hồng: 6/7 (86%)" in kdn
    assert "2. Công ty Cơ khí Đông Anh: 0/5 (0%)" in kdn
    assert "1. Trường Tiểu học số 1 Đông Anh: 9/8 (113%)" in khc
    assert world.texts("g-DN01") == []


async def test_sprint_launch_day_posts_the_launch_in_every_group(world: World) -> None:
    outcome = await world.fire("sprint_countdown", datetime(2026, 11, 16, 1, 0, tzinfo=UTC))
    assert outcome.count == 5
    assert "Hôm nay bắt đầu Đợt cao điểm 35 ngày (16/11/2026 – 20/12/2026)" in world.texts("g-DN01")[0]
    assert "Hôm nay bắt đầu" in world.texts("g-LDLD-T")[0]


async def test_countdown_posts_seven_three_and_one_days_before_the_end_only(world: World) -> None:
    days = {13: "còn 7 ngày", 14: None, 17: "còn 3 ngày", 19: "còn 1 ngày"}
    for day, expected in days.items():
        before = len(world.texts("g-DN02"))
        await world.fire("sprint_countdown", datetime(2026, 12, day, 1, 0, tzinfo=UTC))
        new = world.texts("g-DN02")[before:]
        if expected is None:
            assert new == [], day
        else:
            assert len(new) == 1 and expected in new[0], (day, new)


async def test_the_day_after_the_sprint_brings_its_closing_summary(world: World) -> None:
    await world.fire("sprint_countdown", datetime(2026, 12, 21, 1, 0, tzinfo=UTC))
    unit = world.texts("g-TH01")[0]
    assert "Đợt cao điểm 35 ngày đã kết thúc (20/12/2026)" in unit
    assert "gửi được 9 sáng kiến trong đợt" in unit
    district = world.texts("g-LDLD-T")[0]
    assert "Tổng kết Đợt cao điểm 35 ngày: 12 sáng kiến trong đợt." in district
    assert "Dẫn đầu: Trường Tiểu học số 1 Đông Anh (9)" in district


async def test_an_ordinary_day_of_the_sprint_posts_no_countdown(world: World) -> None:
    outcome = await world.fire("sprint_countdown")
    assert outcome.state == "done" and outcome.count == 0
    assert world.channel.sent == []

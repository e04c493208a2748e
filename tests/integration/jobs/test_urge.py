"""`urge_units`: each union's group gets its figures, in the tone its progress calls for."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.jobs.conftest import World


async def test_urge_units_posts_once_in_every_linked_union_group(world: World) -> None:
    outcome = await world.fire("urge_units")
    assert outcome.state == "done" and outcome.count == 4
    for code in ("DN01", "DN02", "TH01", "TH02"):
        assert len(world.texts(f"g-{code}")) == 1, code
    assert world.texts("g-LDLD-T") == []


async def test_a_union_at_86_percent_gets_its_rank_days_left_pace_and_thanks(world: World) -> None:
    await world.fire("urge_units")
    text = world.texts("g-DN01")[0]
    assert "Đã có 6/7 sáng kiến, đạt 86% kế hoạch, xếp thứ 1/2 trong Khối KDN" in text
    assert "Đợt cao điểm 35 ngày còn 26 ngày; giai đoạn còn 38 ngày." in text
    assert "Còn thiếu 1 sáng kiến: mỗi ngày cần thêm khoảng 1 sáng kiến." in text
    assert "Cảm ơn Nguyễn Thị Lan đã gửi sáng kiến trong tuần qua!" in text
    assert "Đỗ Văn Nam" not in text  # his initiatives are older than a week


async def test_a_union_at_zero_percent_gets_the_firmer_text(world: World) -> None:
    await world.fire("urge_units")
    text = world.texts("g-DN02")[0]
    assert "đang chậm tiến độ" in text
    assert "Mới có 0/5 sáng kiến, đạt 0% kế hoạch, xếp thứ 2/2" in text
    assert "mỗi ngày cần 1 sáng kiến mới kịp chỉ tiêu" in text


async def test_a_union_over_its_target_gets_congratulations(world: World) -> None:
    await world.fire("urge_units")
    text = world.texts("g-TH01")[0]
    assert text.startswith("🎉 Chúc mừng Trường Tiểu học số 1 Đông Anh đã hoàn thành chỉ tiêu")
    assert "9/8 sáng kiến, đạt 113% kế hoạch" in text
    assert "Còn thiếu" not in text


async def test_before_the_sprint_the_text_counts_down_the_phase_only(world: World) -> None:
    await world.fire("urge_units", datetime(2026, 11, 13, 1, 0, tzinfo=UTC))
    text = world.texts("g-DN01")[0]
    assert "Đợt cao điểm" not in text and "Giai đoạn còn 50 ngày." in text


async def test_after_the_sprint_the_text_counts_down_the_phase_only(world: World) -> None:
    await world.fire("urge_units", datetime(2026, 12, 22, 1, 0, tzinfo=UTC))
    text = world.texts("g-DN02")[0]
    assert "Đợt cao điểm" not in text and "Giai đoạn chỉ còn 11 ngày." in text


async def test_the_same_slot_fired_twice_is_sent_once(world: World) -> None:
    first = await world.fire("urge_units")
    second = await world.fire("urge_units", datetime(2026, 11, 25, 1, 20, tzinfo=UTC))
    assert first.count == 4 and second.state == "already" and second.count == 4
    assert len(world.channel.sent) == 4
    assert len(await world.rows()) == 4


async def test_dedup_keys_name_the_day_and_the_union(world: World) -> None:
    await world.fire("urge_units")
    keys = sorted(r.dedup_key for r in await world.rows())
    assert keys[0] == "urge:2026-11-25:DN01:memory:g-DN01"


async def test_this_weeks_contributors_are_thanked_most_active_first(world: World) -> None:
    from tests.factories import add_initiatives

    await add_initiatives(world.app, world.fed, "0900000005", 4,
                          at=datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    await world.fire("urge_units")
    assert "Cảm ơn Đỗ Văn Nam, Nguyễn Thị Lan đã gửi sáng kiến" in world.texts("g-DN01")[0]

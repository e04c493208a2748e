"""Silent-member reminders: spaced, capped, and never to someone who asked to stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fakes.driver import ChatDriver
from tests.integration.jobs.conftest import World

TEN_AM = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


async def test_members_without_an_initiative_get_a_personal_reminder(world: World) -> None:
    outcome = await world.fire("silent_reminders", TEN_AM)
    assert outcome.count == 3
    text = world.texts("u6")[0]
    assert text.startswith("Chào Vũ Thị Mai, Giai đoạn 1 còn 38 ngày mà bạn chưa gửi sáng kiến nào.")
    assert "Đơn vị Công ty Cơ khí Đông Anh đang có 0/5 sáng kiến (0% kế hoạch)." in text
    assert "/tatnhacnho" in text
    assert len(world.texts("u2")) == 1 and len(world.texts("u7")) == 1  # silent officers too
    for busy in ("u3", "u4", "u5", "u9", "u1"):  # have initiatives, or are staff
        assert world.texts(busy) == [], busy


async def test_reminders_come_at_most_once_every_interval_and_three_times(world: World) -> None:
    sent = []
    for day in range(40):
        await world.fire("silent_reminders", TEN_AM + timedelta(days=day))
        sent.append(len(world.texts("u6")))
    assert sent[0] == 1 and sent[6] == 1 and sent[7] == 2 and sent[14] == 3
    assert sent[-1] == 3


async def test_a_member_who_sent_tatnhacnho_gets_no_reminder(world: World) -> None:
    driver = ChatDriver(world.app)
    mai = driver.user("u6")
    await mai.says("/tatnhacnho")
    assert "Đã tắt nhắc nhở cá nhân" in await mai.next_reply()
    await world.fire("silent_reminders", TEN_AM)
    mai.no_reply()  # the private chat holds only the answer to /tatnhacnho, already read
    await mai.says("/batnhacnho")
    assert "Đã bật lại nhắc nhở cá nhân" in await mai.next_reply()
    await world.fire("silent_reminders", TEN_AM + timedelta(days=1))
    assert "chưa gửi sáng kiến nào" in world.texts("u6")[-1]


async def test_tatnhacnho_twice_says_it_is_already_off(world: World) -> None:
    driver = ChatDriver(world.app)
    mai = driver.user("u6")
    await mai.says("/tatnhacnho")
    await mai.next_reply()
    await mai.says("tat nhac nho")
    assert "đang tắt" in await mai.next_reply()

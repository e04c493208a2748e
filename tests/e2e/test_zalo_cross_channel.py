"""One person on several channels: Zalo plus the in-memory channel (real Telegram: test_cross_channel)."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.memory import MemoryChannel
from handlers.types import InboundKind
from storage.models import Identity, Initiative
from tests.fakes.driver import ChatDriver

USER = "6ede9afa66b88fe6d6a9"
TITLE = "Cải tiến quy trình nhập kho bằng mã QR"
CONTENT = "Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho."


async def onboard_on_zalo(person, phone: str) -> None:
    for answer in ("/start", "DN01", "Nguyễn Thị Lan", phone):
        await person.says(answer)
    for _ in range(6):
        await person.next_reply()


async def test_a_draft_started_on_zalo_is_finished_on_the_other_channel(start_zalo) -> None:
    memory = MemoryChannel()
    bot = await start_zalo("polling", memory=memory)
    on_zalo = bot.person(USER)
    await onboard_on_zalo(on_zalo, "0900000003")
    await on_zalo.says(f"/sangkien {TITLE}")
    assert "Bước 2/6" in await on_zalo.next_reply()
    await on_zalo.says("4")
    assert "Bước 3/6" in await on_zalo.next_reply()

    other = ChatDriver(bot.app)
    lan = await other.member("0900000003")  # the same person, known on the other channel
    await lan.says(CONTENT)
    assert "Bước 4/6" in await lan.next_reply()
    await lan.says("Giảm một nửa thời gian kiểm kê.")
    await lan.next_reply()
    await lan.says("bỏ qua")
    summary = await lan.next_reply()
    assert TITLE in summary and "Kỹ thuật" in summary
    await lan.says("1")
    assert "SK-000001" in await lan.next_reply()
    other.assert_all_read()
    async with bot.app.sessions() as session:
        initiative = (await session.execute(select(Initiative))).scalar_one()
    assert (initiative.title, initiative.content) == (TITLE, CONTENT)


async def test_the_same_phone_on_two_channels_is_one_member(start_zalo) -> None:
    memory = MemoryChannel()
    bot = await start_zalo("webhook", memory=memory)
    other = ChatDriver(bot.app)
    an = other.user("tg-an")
    for answer in ("/start", "DN02", "Ngô Văn An"):
        await an.says(answer)
    await an.says(kind=InboundKind.CONTACT, phone="+84912345678", own_contact=True)
    await an.replies()
    await onboard_on_zalo(bot.person(USER), "0912345678")
    async with bot.app.sessions() as session:
        rows = (await session.execute(select(Identity).order_by(Identity.id))).scalars().all()
    assert [(r.channel, r.verified) for r in rows] == [("memory", True), ("zalo", False)]
    assert rows[0].member_id == rows[1].member_id

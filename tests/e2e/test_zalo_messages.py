"""What people send on Zalo besides plain text, groups, photos, and long answers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from handlers.types import utf16_len
from storage.db import unit_of_work
from storage.models import Attachment, Chat, DialogState, Initiative, Member, OutboxMessage, Role
from tests.factories import Federation, link

USER = "6ede9afa66b88fe6d6a9"
GROUP = "9f8e7d6c5b4a39281706"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00JFIF" + bytes(range(256)) * 8


async def member_on_zalo(bot, federation: Federation, phone: str, user_id: str = USER):
    await link(bot.app, federation, phone, channel="zalo", user_id=user_id)
    return bot.person(user_id)


async def at_content_step(lan) -> None:
    await lan.says("/sangkien Sắp xếp lại kho vật tư")
    assert "Bước 2/6" in await lan.next_reply()
    await lan.says("4")
    assert "Bước 3/6" in await lan.next_reply()


async def test_sticker_voice_and_hidden_content_get_a_short_answer(start_zalo, federation) -> None:
    bot = await start_zalo("webhook")
    lan = await member_on_zalo(bot, federation, "0900000003")
    await lan.sends("sticker")
    assert "nhãn dán" in await lan.next_reply()
    await lan.sends("voice")
    assert "tin nhắn thoại" in await lan.next_reply()
    await lan.sends("unsupported")
    assert "không xem được nội dung" in await lan.next_reply()


async def test_a_photo_outside_a_step_that_takes_one_is_answered_politely(start_zalo,
                                                                           federation) -> None:
    bot = await start_zalo("webhook")
    lan = await member_on_zalo(bot, federation, "0900000003")
    url = bot.fake.add_image("a.jpg", JPEG)
    await lan.sends("image_photo_url", photo_url=url)
    assert "Mình chưa xử lý được ảnh" in await lan.next_reply()


async def test_photos_at_the_content_step_are_downloaded_and_kept_with_the_initiative(
        start_zalo, federation, tmp_path: Path) -> None:
    bot = await start_zalo("polling")
    lan = await member_on_zalo(bot, federation, "0900000003")
    await at_content_step(lan)
    await lan.sends("image_photo_url", photo_url=bot.fake.add_image("kho.jpg", JPEG),
                    caption="minh chứng")
    assert "Đã nhận ảnh minh chứng (1 ảnh)" in await lan.next_reply()
    assert "Bước 3/6" in await lan.next_reply()  # the caption is too short to be the content
    caption = "Ảnh kho sau khi dán mã QR lên từng kệ hàng"
    await lan.sends("image_photo", photo_url=None,
                    photo=bot.fake.add_image("ke.png", JPEG[::-1], "image/png"), caption=caption)
    assert "(2 ảnh)" in await lan.next_reply()
    assert "Bước 4/6" in await lan.next_reply()
    for answer in ("Giảm một nửa thời gian kiểm kê.", "0"):
        await lan.says(answer)
        await lan.next_reply()
    assert "Ảnh minh chứng: 2 ảnh" in (bot.fake.to_chat(USER)[-1]).text
    await lan.says("1")
    assert "SK-000001" in await lan.next_reply()
    async with bot.app.sessions() as session:
        initiative = (await session.execute(select(Initiative))).scalar_one()
        files = (await session.execute(select(Attachment).order_by(Attachment.id))).scalars().all()
    assert initiative.content == caption
    assert [f.initiative_id for f in files] == [initiative.id, initiative.id]
    assert [f.content_type for f in files] == ["image/jpeg", "image/png"]
    stored = tmp_path / "media" / files[0].path
    assert stored.read_bytes() == JPEG


async def test_a_photo_from_a_host_that_is_not_zalo_is_not_downloaded(start_zalo,
                                                                      federation) -> None:
    bot = await start_zalo("webhook")
    lan = await member_on_zalo(bot, federation, "0900000003")
    await at_content_step(lan)
    await lan.sends("image_photo_url", photo_url="https://files.example.com/x.jpg")
    assert "chỉ lưu được ảnh gửi trực tiếp" in await lan.next_reply()
    assert "Bước 3/6" in await lan.next_reply()
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Attachment))).first() is None


async def test_a_photo_over_the_size_cap_is_refused(start_zalo, federation) -> None:
    bot = await start_zalo("webhook", max_image_bytes=1024)
    lan = await member_on_zalo(bot, federation, "0900000003")
    await at_content_step(lan)
    await lan.sends("image_photo_url", photo_url=bot.fake.add_image("big.jpg", JPEG))
    assert "Ảnh quá lớn" in await lan.next_reply()
    assert "Bước 3/6" in await lan.next_reply()


async def test_the_bot_mention_is_stripped_in_a_group_and_lienket_links_it(start_zalo,
                                                                           federation) -> None:
    bot = await start_zalo("polling")
    minh = await member_on_zalo(bot, federation, "0900000002", user_id="0a1b2c3d4e5f6a7b8c9d")
    await minh.says("@Bot CongDoan /lienket DN01", group=GROUP)
    assert "Đã liên kết nhóm này với Công ty May Sông Hồng" in await minh.next_reply(chat=GROUP)
    await minh.says("@Bot CongDoan /sangkien", group=GROUP)
    assert "Bước 1/6" in await minh.next_reply(chat=GROUP)
    await minh.says("@Bot CongDoan Sắp xếp lại kho vật tư", group=GROUP)
    assert "Bước 2/6" in await minh.next_reply(chat=GROUP)
    async with bot.app.sessions() as session:
        chat = (await session.execute(select(Chat).where(Chat.chat_id == GROUP))).scalar_one()
        state = (await session.execute(select(DialogState))).scalar_one()
    assert (chat.channel, chat.is_group, chat.unit_id) == ("zalo", True, federation.units["DN01"].id)
    assert state.draft["title"] == "Sắp xếp lại kho vật tư"
    assert state.key == f"zalo:{GROUP}:0a1b2c3d4e5f6a7b8c9d"


async def test_a_long_report_is_sent_in_parts_within_2000_units_in_order(start_zalo,
                                                                         federation) -> None:
    bot = await start_zalo("webhook")
    names = [f"Nguyễn Thị Thanh Hương Số {i:02d} Phòng Kỹ Thuật Phân Xưởng Cơ Điện 🛠" for i in range(45)]
    async with unit_of_work(bot.app.sessions) as session:
        session.add_all(Member(unit_id=federation.units["DN01"].id, name=name, role=Role.MEMBER)
                        for name in names)
    minh = await member_on_zalo(bot, federation, "0900000002")
    await minh.says("/chuanop")
    parts = [m.text for m in bot.fake.to_chat(USER)]
    for _ in parts:
        await minh.next_reply()
    assert len(parts) >= 2 and all(utf16_len(p) <= 2000 for p in parts)
    assert parts[0].startswith("Công ty May Sông Hồng") and "khai báo" in parts[-1]
    joined = "\n".join(parts)
    assert [joined.index(n) for n in sorted(names)] == sorted(joined.index(n) for n in names)


async def test_a_part_that_failed_is_retried_without_resending_the_parts_before_it(
        start_zalo, federation, clock) -> None:
    bot = await start_zalo("webhook")
    async with unit_of_work(bot.app.sessions) as session:
        session.add_all(Member(unit_id=federation.units["DN01"].id, role=Role.MEMBER,
                               name=f"Trần Văn Phúc Số {i:02d} Tổ Bảo Trì Dây Chuyền Số Hai")
                        for i in range(45))
    minh = await member_on_zalo(bot, federation, "0900000002")
    bot.fake.send_script.extend([None, 502])
    await minh.says("/chuanop")
    assert len(bot.fake.to_chat(USER)) == 1
    clock.advance(minutes=10)
    assert await bot.app.sender.drain_once() == 1
    parts = [await minh.next_reply() for _ in bot.fake.to_chat(USER)]
    assert len(parts) >= 2 and len(set(parts)) == len(parts)
    assert parts[0].startswith("Công ty May Sông Hồng") and "khai báo" in parts[-1]


async def test_a_failed_part_is_resumed_after_a_restart_without_the_parts_before_it(
        start_zalo, federation, clock) -> None:
    bot = await start_zalo("webhook")
    async with unit_of_work(bot.app.sessions) as session:
        session.add_all(Member(unit_id=federation.units["DN01"].id, role=Role.MEMBER,
                               name=f"Trần Văn Phúc Số {i:02d} Tổ Bảo Trì Dây Chuyền Số Hai")
                        for i in range(45))
    minh = await member_on_zalo(bot, federation, "0900000002")
    bot.fake.send_script.extend([None, 502])
    await minh.says("/chuanop")
    assert len(bot.fake.to_chat(USER)) == 1
    await bot.restart()  # the parts already sent are known from the database alone
    clock.advance(minutes=10)
    assert await bot.app.sender.drain_once() == 1
    parts = [await minh.next_reply() for _ in bot.fake.to_chat(USER)]
    assert len(parts) >= 2 and len(set(parts)) == len(parts)
    assert parts[0].startswith("Công ty May Sông Hồng") and "khai báo" in parts[-1]
    assert bot.fake.calls["sendMessage"] == len(parts) + 1  # one failed try, nothing repeated


async def test_a_reply_whose_answer_was_lost_is_uncertain_and_never_sent_again(
        start_zalo, federation, clock) -> None:
    bot = await start_zalo("webhook")
    minh = await member_on_zalo(bot, federation, "0900000002")
    bot.fake.lose_answers = 1
    await minh.says("/trogiup")
    assert await minh.next_reply()
    clock.advance(minutes=10)
    assert await bot.app.sender.drain_once() == 0
    assert bot.fake.calls["sendMessage"] == 1
    async with bot.app.sessions() as session:
        found = (await session.execute(select(OutboxMessage.status, OutboxMessage.last_error)
                                       .where(OutboxMessage.channel == "zalo"))).all()
    assert [status for status, _ in found] == ["uncertain"]
    assert found[0][1].startswith("answer lost")

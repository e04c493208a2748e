"""Routing: duplicates, groups, roles, the menu, intent words, strangers."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from handlers.types import Inbound
from storage.models import DialogState, OutboxMessage, ProcessedUpdate
from tests.factories import Federation, add_initiatives
from tests.fakes.driver import ChatDriver


async def test_same_update_twice_is_handled_once_with_one_reply(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien", update_id="777")
    await lan.says("/sangkien", update_id="777")
    assert "Bước 1/6" in await lan.next_reply()
    lan.no_reply()
    async with chat.app.sessions() as session:
        claims = (await session.execute(select(func.count(ProcessedUpdate.id)))).scalar_one()
        rows = (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one()
    assert (claims, rows) == (1, 1)


async def test_two_people_in_one_group_have_their_own_dialogs(chat: ChatDriver) -> None:
    lan = (await chat.member("0900000003")).in_group("DN01")
    nam = (await chat.member("0900000005")).in_group("DN01")
    await lan.says("/sangkien Cải tiến sổ giao ca điện tử")
    assert "Bước 2/6" in await lan.next_reply()
    await nam.says("/sangkien")
    assert "Bước 1/6" in await nam.next_reply()
    await lan.says("3")
    assert "Bước 3/6" in await lan.next_reply()
    await nam.says("Sắp xếp lại kho vật tư")
    assert "Bước 2/6" in await nam.next_reply()


async def test_command_addressed_to_the_bot_in_a_group(chat: ChatDriver) -> None:
    lan = (await chat.member("0900000003")).in_group("DN01")
    await lan.says("/tiendo@sangkien_bot")
    assert "Tiến độ Công ty May Sông Hồng" in await lan.next_reply()
    await lan.says("@Bot CongDoan /tiendo")
    assert "Tiến độ" in await lan.next_reply()


async def test_command_for_another_bot_is_ignored(chat: ChatDriver) -> None:
    chat.app.router.bot_names["memory"] = {"sangkien_bot"}
    lan = (await chat.member("0900000003")).in_group("DN01")
    await lan.says("/tiendo@other_bot")
    lan.no_reply()


async def test_free_text_gets_the_numbered_menu_and_a_number_picks(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("xin chào")
    menu = await lan.next_message()
    assert "1. Đăng ký sáng kiến mới" in menu.text and "Sáng kiến của tôi" in menu.choices
    await lan.says("2")
    assert "chưa có sáng kiến nào" in await lan.next_reply()


async def test_a_number_without_a_menu_shows_the_menu(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("7")
    assert "Gõ số để chọn" in await lan.next_reply()


async def test_intent_words_with_or_without_diacritics(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    for text in ("sáng kiến", "sang kien", "SANG KIEN", "gui sang kien"):
        await lan.says(text)
        assert "Bước 1/6" in await lan.next_reply(), text
        await lan.says("/huy")
        await lan.next_reply()


async def test_officer_help_lists_officer_commands(chat: ChatDriver) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/trogiup")
    help_text = await minh.next_reply()
    assert "cán bộ công đoàn cơ sở" in help_text and "Đoàn viên chưa nộp sáng kiến" in help_text


async def test_member_is_refused_an_officer_command_naming_who_can(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/chuanop")
    reply = await lan.next_reply()
    assert "chỉ dành cho cán bộ công đoàn cơ sở, cán bộ LĐLĐ, quản trị viên" in reply


async def test_officer_lists_members_without_an_initiative(chat: ChatDriver,
                                                           federation: Federation) -> None:
    minh = await chat.member("0900000002")
    await add_initiatives(chat.app, federation, "0900000005", 1)
    await minh.says("/chuanop")
    reply = await minh.next_reply()
    assert "Nguyễn Thị Lan" in reply and "Trần Văn Minh" in reply and "Đỗ Văn Nam" not in reply


async def test_stranger_command_asks_to_start(chat: ChatDriver) -> None:
    stranger = chat.user("tg-999")
    await stranger.says("/cuatoi")
    assert "Gõ /start" in await stranger.next_reply()


async def test_stranger_in_a_group_is_sent_to_a_private_chat(chat: ChatDriver) -> None:
    stranger = chat.user("tg-999", group="DN01")
    await stranger.says("/start")
    assert "nhắn riêng" in await stranger.next_reply()


async def test_cancel_with_nothing_in_progress(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/huy")
    assert "không có việc gì" in await lan.next_reply()


async def test_lienket_links_a_group_to_the_officers_unit(chat: ChatDriver) -> None:
    minh = (await chat.member("0900000002")).in_group("DN01")
    await minh.says("/lienket DN01")
    assert "Đã liên kết nhóm này với Công ty May Sông Hồng" in await minh.next_reply()
    await minh.says("/lienket TH01")
    assert "chỉ liên kết được nhóm với đơn vị của mình" in await minh.next_reply()


async def test_lienket_only_in_groups(chat: ChatDriver) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/lienket DN01")
    assert "chỉ dùng trong nhóm" in await minh.next_reply()


async def test_member_commands_show_progress_and_league(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/tiendo")
    progress = await lan.next_reply()
    assert "0 / 10 sáng kiến, đạt 0% kế hoạch" in progress
    assert "Xếp thứ 1/2 trong Khối KDN" in progress
    assert "còn 26 ngày" in progress and "cần khoảng 1 sáng kiến mỗi ngày" in progress
    await lan.says("/xephang")
    league = await lan.next_reply()
    assert "Công ty May Sông Hồng: 0 · 0% · 0 · 0% ← đơn vị bạn" in league


async def test_cancelling_another_dialog_does_not_mention_sangkien(chat: ChatDriver) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/nhaptho")
    await minh.next_reply()
    await minh.says("/huy")
    assert await minh.next_reply() == "Đã dừng."


async def test_two_workers_answering_for_one_person_both_apply_in_turn(
        app: App, chat: ChatDriver, clock) -> None:
    """Both read the same step; the one that writes second finds the row changed and reruns."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers take turns (BEGIN IMMEDIATE): two cannot read the same step")
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    assert "Bước 1/6" in await lan.next_reply()
    other = App.create(app.config, clock=clock, worker_id="second")
    other.add_channel(chat.channel)
    titles = ("Cải tiến quy trình nhập kho", "Sổ giao ca trên điện thoại")
    try:
        async with app.engine.connect() as holder:
            # Hold the row: both workers read it, then both wait to write it.
            await holder.execute(sql("SELECT id FROM dialog_states FOR UPDATE"))
            both = asyncio.gather(*(worker.handle(Inbound(lan.chat, lan.user_id, f"race-{n}",
                                                          text=title))
                                    for n, (worker, title) in enumerate(zip((app, other), titles,
                                                                            strict=True))))
            await _until_waiting_for_a_lock(holder, count=2)
            await holder.rollback()
        await both
    finally:
        await other.close()
    replies = await lan.replies()
    assert len(replies) == 3, replies  # step 2 asked; the later answer refused, step 2 asked again
    assert sum("Vui lòng gõ một số" in reply for reply in replies) == 1
    async with app.sessions() as session:
        state = (await session.execute(select(DialogState))).scalar_one()
    # One write (the title): the answer that came second was refused and wrote nothing.
    assert state.step == "ask_field" and state.draft["title"] in titles and state.version == 2


async def _until_waiting_for_a_lock(conn: AsyncConnection, *, count: int) -> None:
    for _ in range(200):
        # Statistics are read once per transaction unless the snapshot is cleared.
        await conn.execute(sql("SELECT pg_stat_clear_snapshot()"))
        waiting = (await conn.execute(sql(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"))).scalar_one()
        if waiting >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} workers never waited for the row")

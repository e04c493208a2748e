"""Chats the bot can reach, and groups that move to a new id, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.services import chats
from handlers.types import ChatRef
from storage.db import unit_of_work
from storage.models import Chat, OutboxMessage
from storage.repositories import outbox
from tests.factories import Federation

DM = ChatRef("telegram", "42")
OLD, NEW = "-4001", "-1004001"


async def all_chats(app: App) -> list[tuple[str, bool, int | None, str]]:
    async with app.sessions() as session:
        rows = (await session.execute(select(Chat).order_by(Chat.id))).scalars()
        return [(c.chat_id, c.reachable, c.unit_id, c.title) for c in rows]


async def queue(app: App, chat_id: str, key: str, status: str = "pending") -> None:
    async with unit_of_work(app.sessions) as session:
        await outbox.add(session, {"channel": "telegram", "chat_id": chat_id, "text": "x",
                                   "choices": [], "dedup_key": key, "status": status,
                                   "not_before": app.clock.now()})


async def test_unknown_private_chat_is_recorded_unreachable_then_reachable_again(app: App) -> None:
    async with unit_of_work(app.sessions) as session:
        assert await chats.is_reachable(session, DM)
        await chats.mark_unreachable(session, DM)
    assert await all_chats(app) == [("42", False, None, "")]
    async with unit_of_work(app.sessions) as session:
        assert not await chats.is_reachable(session, DM)
        await chats.mark_reachable(session, DM)
    assert await all_chats(app) == [("42", True, None, "")]


async def test_migration_moves_the_unit_link_and_unsent_messages(app: App,
                                                                 federation: Federation) -> None:
    unit = federation.units["DN01"]
    async with unit_of_work(app.sessions) as session:
        session.add(Chat(channel="telegram", chat_id=OLD, is_group=True, unit_id=unit.id,
                         title="Tổ 1"))
    await queue(app, OLD, "pending")
    await queue(app, OLD, "sent", status="sent")
    async with unit_of_work(app.sessions) as session:
        assert await chats.migrate(session, channel="telegram", old_chat_id=OLD, new_chat_id=NEW)
    assert await all_chats(app) == [(NEW, True, unit.id, "Tổ 1")]
    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxMessage.dedup_key, OutboxMessage.chat_id)
                                      .order_by(OutboxMessage.id))).all()
    assert rows == [("pending", NEW), ("sent", OLD)]


async def test_migration_into_a_chat_we_already_know_keeps_one_row(app: App,
                                                                   federation: Federation) -> None:
    unit = federation.units["DN01"]
    async with unit_of_work(app.sessions) as session:
        session.add(Chat(channel="telegram", chat_id=OLD, is_group=True, unit_id=unit.id,
                         title="Tổ 1"))
        session.add(Chat(channel="telegram", chat_id=NEW, is_group=True))
    async with unit_of_work(app.sessions) as session:
        await chats.migrate(session, channel="telegram", old_chat_id=OLD, new_chat_id=NEW)
    assert await all_chats(app) == [(NEW, True, unit.id, "Tổ 1")]


async def test_migrating_twice_changes_nothing_the_second_time(app: App) -> None:
    async with unit_of_work(app.sessions) as session:
        session.add(Chat(channel="telegram", chat_id=OLD, is_group=True))
    for expected in (True, False):
        async with unit_of_work(app.sessions) as session:
            moved = await chats.migrate(session, channel="telegram", old_chat_id=OLD,
                                        new_chat_id=NEW)
        assert moved is expected
    assert [c[0] for c in await all_chats(app)] == [NEW]

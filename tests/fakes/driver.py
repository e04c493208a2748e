"""A queue-shaped chat driver over the in-memory channel: `await user.says(...)`, `next_reply()`.

A reply nobody read fails the test (see `ChatDriver.assert_all_read`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from bot.app import App
from bot.channels.memory import MemoryChannel
from handlers.types import ChatRef, Inbound, InboundKind, Outbound
from storage.db import unit_of_work
from storage.models import Identity
from storage.repositories import members


@dataclass
class ChatDriver:
    """Drives one app through its `memory` channel; survives restarts of the app."""

    app: App
    read: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def channel(self) -> MemoryChannel:
        return self.app.channels["memory"]  # type: ignore[return-value]

    def user(self, user_id: str, *, group: str | None = None, name: str = "") -> ChatUser:
        """A person: `user_id` on the memory channel, in a DM or in group chat `group`."""
        chat = ChatRef("memory", f"g-{group}", True) if group else ChatRef("memory", user_id)
        return ChatUser(self, user_id, chat, name)

    async def member(self, phone: str, *, group: str | None = None) -> ChatUser:
        """A roster member whose memory account is already linked (verified)."""
        user_id = f"u{phone}"
        async with unit_of_work(self.app.sessions) as session:
            member = await members.get_by_phone(session, phone)
            assert member is not None, phone
            session.add(Identity(channel="memory", user_id=user_id, member_id=member.id,
                                 verified=True))
        return self.user(user_id, group=group)

    def next_update_id(self) -> str:
        return str(next(self._ids))

    def unread(self, chat_id: str) -> list[Outbound]:
        messages = self.channel.by_chat.get(chat_id, [])
        return messages[self.read.get(chat_id, 0):]

    def pop(self, chat_id: str) -> Outbound:
        pending = self.unread(chat_id)
        assert pending, f"no reply waiting in chat {chat_id}"
        self.read[chat_id] = self.read.get(chat_id, 0) + 1
        return pending[0]

    async def restart(self) -> None:
        """Replace the app with a new one on the same database and the same 'platform'."""
        channel, config, clock = self.channel, self.app.config, self.app.clock
        await self.app.close()
        self.app = App.create(config, clock=clock, worker_id="restarted")
        self.app.add_channel(channel)

    def assert_all_read(self) -> None:
        left = {chat: [m.text[:80] for m in self.unread(chat)] for chat in self.channel.by_chat}
        left = {chat: texts for chat, texts in left.items() if texts}
        assert not left, f"replies left unread: {left}"


@dataclass
class ChatUser:
    """One person in one chat."""

    driver: ChatDriver
    user_id: str
    chat: ChatRef
    name: str = ""

    async def says(self, text: str = "", *, kind: InboundKind = InboundKind.TEXT,
                   update_id: str | None = None, **payload: Any) -> str:
        """Send a message to the bot; return the update id used."""
        update_id = update_id or self.driver.next_update_id()
        await self.driver.app.handle(Inbound(chat=self.chat, user_id=self.user_id,
                                             update_id=update_id, kind=kind, text=text,
                                             user_name=self.name, payload=payload))
        return update_id

    async def next_reply(self) -> str:
        """Return the oldest unread reply in this chat (it must be there)."""
        return self.driver.pop(self.chat.chat_id).text

    async def next_message(self) -> Outbound:
        """Return the oldest unread message in this chat, with its choices."""
        return self.driver.pop(self.chat.chat_id)

    async def replies(self) -> list[str]:
        """Return every unread reply in this chat."""
        texts = []
        while self.driver.unread(self.chat.chat_id):
            texts.append(self.driver.pop(self.chat.chat_id).text)
        return texts

    def in_group(self, group: str) -> ChatUser:
        """The same person, writing in a group chat."""
        return ChatUser(self.driver, self.user_id, ChatRef("memory", f"g-{group}", True), self.name)

    def no_reply(self) -> None:
        """Assert that nothing is waiting in this chat."""
        assert not self.driver.unread(self.chat.chat_id), self.driver.unread(self.chat.chat_id)

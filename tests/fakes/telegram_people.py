"""People and groups on the fake Telegram: they type, press buttons, share contacts, block the bot."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from tests.fakes.telegram_api import FakeTelegram, Sent

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 16
"""A photo's bytes as Telegram serves them (JPEG)."""


@dataclass(frozen=True)
class Delivered:
    """An update given to the bot, and the webhook's HTTP status (0 when polled)."""

    update: dict[str, Any]
    status: int


@dataclass(frozen=True)
class TgUser:
    """One Telegram user, writing in their private chat or in a group."""

    fake: FakeTelegram
    user_id: int
    first_name: str = "An"
    chat_id: int | None = None

    @property
    def chat(self) -> int:
        return self.chat_id if self.chat_id is not None else self.user_id

    def sender(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name,
                "language_code": "vi"}

    def in_group(self, chat_id: int, title: str = "CĐ Tổ 1") -> TgUser:
        """The same person writing in a group chat (the group becomes known to the fake)."""
        self.fake.add_chat(chat_id, kind="supergroup" if chat_id < -10**12 else "group", title=title)
        return replace(self, chat_id=chat_id)

    def message(self, **fields: Any) -> dict[str, Any]:
        chat = self.fake.chats.get(self.chat) or self.fake.add_chat(
            self.chat, first_name=self.first_name)
        return {"message_id": self.fake.message_id(self.chat), "date": int(time.time()),
                "chat": chat, "from": self.sender(), **fields}

    async def send(self, kind: str, body: dict[str, Any], *, secret: str | None = None) -> Delivered:
        update = self.fake.new_update(kind, body)
        return Delivered(update, await self.fake.deliver(update, secret=secret))

    async def says(self, text: str, *, reply_to: Sent | None = None,
                   secret: str | None = None) -> Delivered:
        """Type a message (a leading /command gets its bot_command entity, as clients send)."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": len(text.split()[0])}]
        if reply_to is not None:
            fields["reply_to_message"] = {
                "message_id": reply_to.message_id, "date": int(time.time()),
                "chat": self.fake.chats[reply_to.chat_id], "text": reply_to.text,
                "from": {"id": self.fake.bot_id, "is_bot": True, "first_name": "Fake"}}
        return await self.send("message", self.message(**fields), secret=secret)

    async def presses(self, sent: Sent, number: int) -> Delivered:
        """Press the inline button `number` (1-based) under a message the bot sent."""
        button = sent.buttons[number - 1]
        body = {"id": f"cq{time.monotonic_ns()}", "from": self.sender(), "chat_instance": "ci1",
                "data": button["callback_data"],
                "message": {"message_id": sent.message_id, "date": int(time.time()),
                            "chat": self.fake.chats[sent.chat_id], "text": sent.text,
                            "from": {"id": self.fake.bot_id, "is_bot": True, "first_name": "Fake"}}}
        return await self.send("callback_query", body)

    async def shares_contact(self, phone: str, *, own: bool = True) -> Delivered:
        """Share a contact: their own (the request_contact button) or someone else's."""
        contact = {"phone_number": phone, "first_name": self.first_name,
                   "user_id": self.user_id if own else self.user_id + 1}
        return await self.send("message", self.message(contact=contact))

    async def sends_photo(self, caption: str = "", *, data: bytes = PHOTO,
                          size: int | None = None) -> Delivered:
        """Send a photo: Telegram offers it in three sizes, `data` being the largest."""
        sizes = []
        for (width, height), blob in (((90, 68), b"thumb" + data[:40]),
                                      ((320, 240), b"medium" + data[:400]), ((1280, 960), data)):
            stored = self.fake.add_file(blob, folder="photos", name="photo.jpg",
                                        size=size if blob is data else None)
            sizes.append({"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                          "file_size": stored.size, "width": width, "height": height})
        fields: dict[str, Any] = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        return await self.send("message", self.message(**fields))

    async def sends_document(self, filename: str, data: bytes, *, mime_type: str = "text/csv",
                             size: int | None = None, announce_size: bool = True,
                             caption: str = "") -> Delivered:
        """Send a file as a document (`size` claims another size than the bytes have)."""
        stored = self.fake.add_file(data, name=filename, size=size)
        document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                                    "file_name": filename, "mime_type": mime_type}
        if announce_size:
            document["file_size"] = stored.size
        fields: dict[str, Any] = {"document": document}
        if caption:
            fields["caption"] = caption
        return await self.send("message", self.message(**fields))

    async def blocks_bot(self) -> Delivered:
        """Block the bot: sends fail with 403 and a my_chat_member (kicked) update arrives."""
        self.fake.block(self.user_id)
        return await self.send("my_chat_member", self._membership("member", "kicked"))

    async def unblocks_bot(self) -> Delivered:
        self.fake.blocked.discard(self.user_id)
        return await self.send("my_chat_member", self._membership("kicked", "member"))

    async def removes_bot_from_group(self) -> Delivered:
        """Remove the bot from this group chat."""
        return await self.send("my_chat_member", self._membership("member", "left"))

    def _membership(self, old: str, new: str) -> dict[str, Any]:
        bot = {"id": self.fake.bot_id, "is_bot": True, "first_name": "Fake",
               "username": self.fake.username}
        chat = self.fake.chats.get(self.chat) or self.fake.add_chat(self.chat)
        return {"chat": chat, "from": self.sender(), "date": int(time.time()),
                "old_chat_member": {"status": old, "user": bot},
                "new_chat_member": {"status": new, "user": bot, **(
                    {"until_date": 0} if new == "kicked" else {})}}


async def migrate_group(fake: FakeTelegram, admin: TgUser, old_id: int, new_id: int) -> None:
    """Upgrade a group to a supergroup: sends to the old id get 400 + migrate_to_chat_id.

    Telegram posts a service message in each chat; both are delivered to the bot.
    """
    old_chat = fake.chats[old_id]
    fake.migrated[old_id] = new_id
    fake.add_chat(new_id, kind="supergroup", title=old_chat.get("title", ""))
    await admin.send("message", {"message_id": fake.message_id(old_id), "date": int(time.time()),
                                 "chat": old_chat, "from": admin.sender(),
                                 "migrate_to_chat_id": new_id})
    await admin.send("message", {"message_id": fake.message_id(new_id), "date": int(time.time()),
                                 "chat": fake.chats[new_id], "from": admin.sender(),
                                 "migrate_from_chat_id": old_id})

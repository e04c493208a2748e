"""Telegram updates translated for the core. Translates only.

An update becomes an Inbound, a button press, a membership change or a group migration.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Chat, ChatMemberUpdated, Message, PhotoSize, Update

from handlers.types import ChatRef, Inbound, InboundKind

NAME = "telegram"
PHOTO_TYPE = "image/jpeg"
"""Telegram re-encodes every photo sent as a photo (not as a file) to JPEG."""
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
"""The update types we ask for (getUpdates and setWebhook)."""

_GONE_STATUSES = frozenset({"left", "kicked"})


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is on Telegram (from getMe), to tell what is addressed to it in groups."""

    id: int
    username: str


@dataclass(frozen=True)
class ButtonPress:
    """An inline button pressed: the Inbound (its choice number) and what to acknowledge."""

    inbound: Inbound
    query_id: str
    chat_id: int
    message_id: int | None


@dataclass(frozen=True)
class Membership:
    """The bot was added to or removed from a chat, or a user blocked or unblocked it."""

    chat: ChatRef
    present: bool
    title: str
    update_id: str


@dataclass(frozen=True)
class Migration:
    """A group became a supergroup with a new id."""

    old_chat_id: str
    new_chat_id: str
    update_id: str


Translated = Inbound | ButtonPress | Membership | Migration | None


def translate(update: Update, bot: BotIdentity) -> Translated:
    """Translate one update; None when the core has nothing to do with it."""
    if update.callback_query is not None:
        return _press(update.callback_query, update.update_id)
    if update.my_chat_member is not None:
        return _membership(update.my_chat_member, update.update_id)
    if update.message is not None:
        return _message(update.message, update.update_id, bot)
    return None


def chat_ref(chat: Chat) -> ChatRef:
    """Return the core's reference to a Telegram chat (ids as text)."""
    return ChatRef(NAME, str(chat.id), is_group=chat.type in (Chat.GROUP, Chat.SUPERGROUP))


def _message(message: Message, update_id: int, bot: BotIdentity) -> Translated:
    if message.migrate_to_chat_id:
        return Migration(str(message.chat.id), str(message.migrate_to_chat_id), str(update_id))
    if message.migrate_from_chat_id:
        return Migration(str(message.migrate_from_chat_id), str(message.chat.id), str(update_id))
    user = message.from_user
    if user is None or user.is_bot or message.chat.type == Chat.CHANNEL:
        return None
    chat = chat_ref(message.chat)
    if chat.is_group and not _addressed_to_bot(message, bot):
        return None
    kind, text = _content(message)
    if kind is None:
        return None
    payload: dict[str, object] = {"message_id": message.message_id}
    if chat.is_group:
        payload["chat_title"] = message.chat.title or ""
    if message.contact is not None:
        payload["phone"] = message.contact.phone_number
        payload["own_contact"] = message.contact.user_id == user.id
    payload |= file_fields(message)
    return Inbound(chat=chat, user_id=str(user.id), update_id=str(update_id), kind=kind, text=text,
                   user_name=user.full_name, payload=payload)


def _content(message: Message) -> tuple[InboundKind | None, str]:
    if message.text is not None:
        return InboundKind.TEXT, message.text
    caption = message.caption or ""
    if message.contact is not None:
        return InboundKind.CONTACT, ""
    if message.photo:
        return InboundKind.PHOTO, caption
    if message.sticker is not None:
        return InboundKind.STICKER, ""
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return InboundKind.VOICE, caption
    if message.document is not None or message.video is not None:
        return InboundKind.FILE, caption
    if _is_service(message):
        return None, ""
    return InboundKind.UNSUPPORTED, caption


def file_fields(message: Message) -> dict[str, object]:
    """Describe the file a photo or document message carries, for the download (files.py).

    A photo comes in several sizes; only the largest is worth keeping.
    """
    if message.photo:
        photo = max(message.photo, key=_area)
        return {"file_id": photo.file_id, "file_size": photo.file_size or 0, "file_name": "",
                "mime_type": PHOTO_TYPE}
    document = message.document
    if document is not None:
        return {"file_id": document.file_id, "file_size": document.file_size or 0,
                "file_name": document.file_name or "", "mime_type": document.mime_type or ""}
    return {}


def _area(photo: PhotoSize) -> tuple[int, int]:
    return photo.width * photo.height, photo.file_size or 0


def _is_service(message: Message) -> bool:
    # Joins, leaves, title and photo changes, pins...: nothing a person said to the bot.
    return bool(message.new_chat_members or message.left_chat_member or message.new_chat_title
                or message.new_chat_photo or message.delete_chat_photo or message.pinned_message
                or message.group_chat_created or message.supergroup_chat_created)


def _addressed_to_bot(message: Message, bot: BotIdentity) -> bool:
    """In a group, only commands, @mentions and replies to the bot are for it.

    The same rule as Telegram's privacy mode, so a group behaves alike whatever BotFather says.
    """
    text = message.text or message.caption or ""
    if text.startswith("/") or f"@{bot.username}".lower() in text.lower():
        return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


def _press(query: CallbackQuery, update_id: int) -> Translated:
    message = query.message
    if message is None or not query.data:
        return None
    inbound = Inbound(chat=chat_ref(message.chat), user_id=str(query.from_user.id),
                      update_id=str(update_id), kind=InboundKind.TEXT, text=query.data,
                      user_name=query.from_user.full_name,
                      payload={"button": True, "chat_title": message.chat.title or ""})
    return ButtonPress(inbound, query.id, message.chat.id, message.message_id)


def _membership(change: ChatMemberUpdated, update_id: int) -> Membership:
    present = change.new_chat_member.status not in _GONE_STATUSES
    return Membership(chat_ref(change.chat), present, change.chat.title or "", str(update_id))

"""Zalo events → Inbound. Translates only: no business rule, no sentence.

One event is `{event_name, message}`, alone or inside the `{ok, result}` envelope (spec §4).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from handlers.types import ChatRef, Inbound, InboundKind

CHANNEL = "zalo"
WEBHOOK_TEST = "webhook.test"
KINDS = {
    "message.text.received": InboundKind.TEXT,
    "message.image.received": InboundKind.PHOTO,
    "message.sticker.received": InboundKind.STICKER,
    "message.voice.received": InboundKind.VOICE,
    "message.unsupported.received": InboundKind.UNSUPPORTED,
}
EXTRAS = ("message_type", "date", "sticker", "url", "voice_url")


@dataclass(frozen=True)
class Event:
    """One Zalo event: its name and its message object."""

    name: str
    message: dict[str, Any]
    raw: dict[str, Any]


def unwrap(body: Any) -> Event | None:
    """Return the event in an envelope or a bare body; None when it is not an event at all."""
    if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body, dict) or not isinstance(body.get("event_name"), str):
        return None
    message = body.get("message")
    return Event(body["event_name"], message if isinstance(message, dict) else {}, body)


def photo_url(event: Event) -> str | None:
    """Return the image URL of an image event: live payloads say `photo_url`, the docs `photo`."""
    url = event.message.get("photo_url") or event.message.get("photo")
    return url if isinstance(url, str) and url else None


def to_inbound(event: Event, *, bot_names: Iterable[str] = ()) -> Inbound | None:
    """Translate a message event; None for events that are not messages (ignored by the caller)."""
    kind = KINDS.get(event.name)
    msg = event.message
    sender = msg.get("from") if isinstance(msg.get("from"), dict) else {}
    chat = msg.get("chat") if isinstance(msg.get("chat"), dict) else {}
    chat_id = str(chat.get("id") or sender.get("id") or "")
    if kind is None or not chat_id:
        return None
    is_group = str(chat.get("chat_type", "")).upper() == "GROUP"
    text = msg.get("caption") if kind == InboundKind.PHOTO else msg.get("text")
    text = text if isinstance(text, str) else ""
    if is_group:
        # In groups Zalo delivers only messages that @mention the bot (spec §0, §7).
        text = strip_mention(text, bot_names)
    payload = {key: msg[key] for key in EXTRAS if key in msg}
    if kind == InboundKind.PHOTO and (url := photo_url(event)):
        payload["photo_url"] = url
    return Inbound(chat=ChatRef(CHANNEL, chat_id, is_group), user_id=str(sender.get("id") or chat_id),
                   update_id=update_id(event, chat_id), kind=kind, text=text,
                   user_name=str(sender.get("display_name") or sender.get("name") or ""),
                   payload=payload)


def update_id(event: Event, chat_id: str) -> str:
    """Return the id the core deduplicates on: chat and message id (spec §4), else a body hash."""
    message_id = event.message.get("message_id")
    if message_id:
        return f"{chat_id}:{message_id}"[:96]
    canonical = json.dumps(event.raw, sort_keys=True, ensure_ascii=False).encode()
    return f"{chat_id}:h{hashlib.sha256(canonical).hexdigest()[:40]}"


def strip_mention(text: str, bot_names: Iterable[str]) -> str:
    """Remove `@Bot Name` (the bot's own mention) from a group message.

    With no known name, a leading mention before a command is dropped (`@Bot X /baocao`).
    """
    stripped = text
    for name in sorted((n for n in bot_names if n), key=len, reverse=True):
        pattern = re.compile(rf"@{re.escape(name)}(?=$|[\s,:.!?])[,:]?\s*", re.IGNORECASE)
        stripped = pattern.sub("", stripped)
    if stripped == text and text.startswith("@") and " /" in text:
        stripped = text[text.index(" /") + 1:]
    return stripped.strip()

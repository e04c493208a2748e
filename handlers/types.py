"""Small message types that travel between channels and the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

PartSent = Callable[[int], Awaitable[None]]
"""Told how many parts of a split message have left, after each part but the last."""


class InboundKind(StrEnum):
    """What a person sent, as far as the core cares."""

    TEXT = "text"
    PHOTO = "photo"
    STICKER = "sticker"
    FILE = "file"
    VOICE = "voice"
    CONTACT = "contact"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat on one channel. Platform ids are text and travel with their channel."""

    channel: str
    chat_id: str
    is_group: bool = False

    @property
    def key(self) -> str:
        """Return a stable text key, used in dedup keys and logs."""
        return f"{self.channel}:{self.chat_id}"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One update from a person, translated by a channel adapter."""

    chat: ChatRef
    user_id: str
    update_id: str
    kind: InboundKind = InboundKind.TEXT
    text: str = ""
    user_name: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChatChange:
    """The bot joined, left or was blocked in a chat, or a group moved to a new id (`moved_to`).

    Claimed by its `update_id` like any update, so a redelivered change is applied once.
    """

    chat: ChatRef
    update_id: str
    present: bool = True
    title: str = ""
    moved_to: str | None = None


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to send. `choices` are shown as buttons where the channel has them.

    A channel that splits the message sends only the parts after `parts_done` (the earlier ones
    left on an earlier try, on any worker) and awaits `part_sent(n)` once n parts have left, so
    the core can record it before the next part goes.
    """

    chat: ChatRef
    text: str
    choices: tuple[str, ...] = ()
    outbox_id: int | None = None
    attachment: dict[str, Any] | None = None
    parts_done: int = 0
    part_sent: PartSent | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """What a channel can carry: text length in UTF-16 code units and buttons.

    `contact_button`: the channel can offer a "share my phone" button (a verified phone).
    """

    max_text: int
    has_buttons: bool
    markup: str = "plain"
    contact_button: bool = False


def utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, as Telegram and Zalo count it."""
    return len(text.encode("utf-16-le")) // 2

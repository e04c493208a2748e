"""Splitting a long text into parts a channel can carry, on paragraph, line or word boundaries."""

from __future__ import annotations

from handlers.types import utf16_len

SEPARATORS = ("\n\n", "\n", " ")


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units, in order, none empty.

    Cuts at the last paragraph break that fits, else a line break, else a space, else (a single
    word longer than the limit) between characters.
    """
    text = text.strip()
    parts: list[str] = []
    while utf16_len(text) > limit:
        head, text = _cut(text, limit)
        if head:
            parts.append(head)
    if text:
        parts.append(text)
    return parts


def count_parts(text: str, limit: int) -> int:
    """Return how many messages `split_text` makes of `text`."""
    return max(1, len(split_text(text, limit)))


def _cut(text: str, limit: int) -> tuple[str, str]:
    window = _prefix(text, limit)
    for separator in SEPARATORS:
        # A break just after the window counts: the window itself then fits whole.
        at = text.rfind(separator, 0, len(window) + len(separator))
        if at > 0:
            return text[:at].rstrip(), text[at + len(separator):].lstrip()
    return window, text[len(window):].lstrip()


def _prefix(text: str, limit: int) -> str:
    """Return the longest prefix of `text` within `limit` UTF-16 units."""
    if len(text) * 2 <= limit:
        return text
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return text[:index]
    return text

"""Splitting a long message into parts a channel accepts, on paragraph, line or word boundaries.

Lengths are UTF-16 code units, as Telegram and Zalo count them. Markup-safe for the HTML the
renderer makes: a cut never falls inside a tag or an `&entity;`.
"""

from __future__ import annotations

from handlers.types import utf16_len

_SEPARATORS = ("\n\n", "\n", " ")


def split_text(text: str, limit: int) -> list[str]:
    """Return `text` as parts of at most `limit` UTF-16 units, in order, none of them empty."""
    if not text.strip():
        return []
    if utf16_len(text) <= limit:
        return [text]
    return [part for part in _split(text, limit, 0) if part.strip()]


def _split(text: str, limit: int, level: int) -> list[str]:
    if utf16_len(text) <= limit:
        return [text]
    if level == len(_SEPARATORS):
        return _hard_split(text, limit)
    separator = _SEPARATORS[level]
    parts: list[str] = []
    current = ""
    for piece in text.split(separator):
        candidate = f"{current}{separator}{piece}" if current else piece
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if utf16_len(piece) <= limit:
            current = piece
        else:
            *full, current = _split(piece, limit, level + 1)
            parts.extend(full)
    if current:
        parts.append(current)
    return [part.strip("\n") for part in parts]


def _hard_split(text: str, limit: int) -> list[str]:
    parts = []
    while utf16_len(text) > limit:
        cut = _safe_cut(text, _index_at_units(text, limit))
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text]


def _index_at_units(text: str, units: int) -> int:
    """Return the largest index whose prefix fits in `units` UTF-16 units (never mid-character)."""
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            return index
    return len(text)


def _safe_cut(text: str, cut: int) -> int:
    # Step back over an unfinished `<tag` or `&entity;` so markup stays whole.
    window = text[max(0, cut - 12):cut]
    for opener, closer in (("<", ">"), ("&", ";")):
        start = window.rfind(opener)
        if start != -1 and closer not in window[start:]:
            back = len(window) - start
            if back < cut:
                return cut - back
    return max(cut, 1)


def count_parts(text: str, limit: int) -> int:
    """Return how many messages `split_text` makes of `text` (a quota counts each part)."""
    return max(1, len(split_text(text, limit)))

"""Vietnamese text as people type it: folding diacritics, cleaning raw input."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_LETTER_OR_DIGIT = re.compile(r"\w", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, drop diacritics (đ → d) and squeeze spaces: "Sáng  Kiến" → "sang kien"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.lower().split())


def clean(text: str, *, multiline: bool = False) -> str:
    """Return user text in NFC without control or direction characters, spaces squeezed.

    Zalo and some keyboards send decomposed (NFD) Vietnamese, so text is composed first.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", " "))
    if not multiline:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def has_words(text: str) -> bool:
    """Tell whether the text holds at least one letter or digit (not only emoji or signs)."""
    return any(ch.isalpha() for ch in text) or bool(_LETTER_OR_DIGIT.search(text))


def has_letters(text: str) -> bool:
    """Tell whether the text holds at least one letter."""
    return any(ch.isalpha() for ch in text)

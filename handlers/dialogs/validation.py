"""Checks shared by dialog steps; each failure is a UserError with a Vietnamese template."""

from __future__ import annotations

from handlers.errors import UserError
from handlers.textnorm import clean, has_letters, has_words


def require_text(text: str, *, min_len: int, max_len: int, multiline: bool = False) -> str:
    """Return cleaned text between `min_len` and `max_len` characters holding some letters."""
    cleaned = clean(text, multiline=multiline)
    if not cleaned:
        raise UserError("errors/empty")
    if not has_letters(cleaned):
        template = "errors/need_text" if has_words(cleaned) else "errors/need_words"
        raise UserError(template)
    if len(cleaned) < min_len:
        raise UserError("errors/too_short", min=min_len, length=len(cleaned))
    if len(cleaned) > max_len:
        raise UserError("errors/too_long", max=max_len, length=len(cleaned))
    return cleaned

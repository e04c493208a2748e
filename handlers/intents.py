"""Words that reach a command when typed outside a dialog, with or without diacritics."""

from __future__ import annotations

from rapidfuzz import fuzz

from handlers.command_table import COMMANDS
from handlers.textnorm import fold

MIN_FUZZY_LENGTH = 6
FUZZY_SCORE = 88.0


def match_intent(text: str) -> str | None:
    """Return the command a phrase means ("sang kien", "SÁNG KIẾN", "gui sang kien"), or None."""
    folded = fold(text)
    if not folded:
        return None
    best: tuple[float, str] | None = None
    for command in COMMANDS.values():
        for phrase in command.intents:
            if folded == phrase:
                return command.name
            if len(folded) >= MIN_FUZZY_LENGTH:
                score = fuzz.ratio(folded, phrase)
                if score >= FUZZY_SCORE and (best is None or score > best[0]):
                    best = (score, command.name)
    return best[1] if best else None

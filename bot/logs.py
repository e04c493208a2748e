"""Logging set-up: a filter masks tokens, phones, link codes and sign-in links in every line.

Other libraries log at INFO at most unless the operator asks for their DEBUG.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

OWN_PACKAGES = ("bot", "handlers", "storage", "schedules")
"""Loggers that follow `logging.level`; every other logger (telegram, httpx, aiohttp, sqlalchemy,
apscheduler, asyncio...) follows `logging.libraries`."""
CHATTY = ("httpx", "httpcore", "aiosqlite", "sqlalchemy", "apscheduler.executors.default")
"""Libraries that log a line per request, statement or job run at INFO: WARNING unless DEBUG is
asked for (SQLAlchemy sets WARNING on itself for the same reason)."""

# A Vietnamese mobile number as people type it: 0912345678, 0912 345 678, +84 912.345.678.
_PHONE = re.compile(r"(?<![\d*])(?:\+?84|0)(?:[\s.\-]?\d){9}(?![\d*])")
_BOT_URL_TOKEN = re.compile(r"/bot[0-9A-Za-z:_-]{8,}")
# A one-time web sign-in link, /dang-nhap/<token> (handlers/services/web_access.py, url_for):
# whoever has it signs in as the officer or staff member it was made for.
_SIGN_IN_TOKEN = re.compile(r"/dang-nhap/[A-Za-z0-9_-]+")
# Link codes (/maketnoi, `sangkien link-code`) are six digits, like update ids, chat ids and the
# digits of SK-000123, so a six-digit number is masked only where it can be a code:
# - a quoted string that is six digits and nothing else: a member typing a code sends just that
#   (handlers/commands/verify.py, looks_like_code), and an update's text is a quoted string in
#   both JSON and Python reprs, while update, chat and message ids are numbers there. (Our own
#   string ids of exactly six digits get masked in SQL parameter lines too; real ones are longer.)
# - the first six-digit number after "mã liên kết" in the same string: the message that hands a
#   code out (templates/vi/verify/code_issued.j2, "Mã liên kết cho <name>: <code>"). The match
#   stops at a quote so it cannot run on into the ids of the next field.
# tests/unit/test_logs.py renders code_issued.j2 to check that this still finds the code.
_CODE_LABEL = "mã liên kết"  # a pattern to find, not text to show ("link code")
_TYPED_CODE = re.compile(r"""(['"])\s*\d{6}\s*\1""")
_ISSUED_CODE = re.compile(rf"""({_CODE_LABEL}[^'"\n]{{0,160}}?)(?<!\d)\d{{6}}(?!\d)""", re.IGNORECASE)


class Redactor(logging.Filter):
    """Replace configured secrets, tokens, link codes and phone numbers in log records."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        """Return `text` with secrets, tokens, link codes and phone numbers masked."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = _BOT_URL_TOKEN.sub("/bot***", text)
        text = _SIGN_IN_TOKEN.sub("/dang-nhap/***", text)
        text = _TYPED_CODE.sub(r"\1******\1", text)
        text = _ISSUED_CODE.sub(r"\1******", text)
        return _PHONE.sub(_mask, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message (and exception text) in place."""
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    local = "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
    return f"{local[:3]}****{local[-3:]}"


def configure(level: str, *, libraries: str | None = None, secrets: Iterable[str] = (),
              file: Path | None = None) -> None:
    """Send logs to stderr, or to `file` (the console chat owns the terminal).

    `level` is for our own packages; `libraries` for every other logger, by default `level` but
    never below INFO: python-telegram-bot's DEBUG lines print every text sent and received.
    """
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    set_levels(logging.getLevelNamesMapping()[level],
               None if libraries is None else logging.getLevelNamesMapping()[libraries])


def set_levels(own: int, libraries: int | None = None) -> None:
    """Set our packages' loggers to `own`, and the root (so every other logger) to `libraries`."""
    shared = max(own, logging.INFO) if libraries is None else libraries
    logging.getLogger().setLevel(shared)
    for name in OWN_PACKAGES:
        logging.getLogger(name).setLevel(own)
    chatty = shared if shared <= logging.DEBUG else max(logging.WARNING, shared)
    for name in CHATTY:
        logging.getLogger(name).setLevel(chatty)

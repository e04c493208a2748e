"""Logging set-up with a filter that keeps tokens and phone numbers out of every log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

# A Vietnamese mobile number as people type it: 0912345678, 0912 345 678, +84 912.345.678.
_PHONE = re.compile(r"(?<![\d*])(?:\+?84|0)(?:[\s.\-]?\d){9}(?![\d*])")
_BOT_URL_TOKEN = re.compile(r"/bot[0-9A-Za-z:_-]{8,}")


class Redactor(logging.Filter):
    """Replace configured secrets, bot tokens in URLs and phone numbers in log records."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        """Return `text` with secrets, tokens and phone numbers masked."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = _BOT_URL_TOKEN.sub("/bot***", text)
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


def configure(level: str, *, secrets: Iterable[str] = (), file: Path | None = None) -> None:
    """Send logs to stderr, or to `file` (the console chat owns the terminal)."""
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
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiosqlite", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

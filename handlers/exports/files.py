"""Exported files on disk, under unguessable names, and their clean-up."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)


def save(data: bytes | str, *, directory: Path, filename: str) -> Path:
    """Write `data` as `<stem>-<random><suffix>` in `directory` and return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    stem, dot, suffix = filename.rpartition(".")
    path = directory / f"{stem}-{secrets.token_urlsafe(12)}{dot}{suffix}"
    if isinstance(data, str):
        # Excel opens UTF-8 CSV with Vietnamese correctly only with a byte-order mark.
        path.write_text(data, encoding="utf-8-sig")
    else:
        path.write_bytes(data)
    return path


def prune(directory: Path, *, now: datetime, keep: timedelta) -> int:
    """Delete exported files older than `keep`; return how many went."""
    if not directory.is_dir():
        return 0
    cutoff = (now - keep).timestamp()
    gone = 0
    for path in directory.iterdir():
        if path.is_file() and not path.name.startswith(".") and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            gone += 1
    if gone:
        log.info("pruned %d exported files from %s", gone, directory)
    return gone

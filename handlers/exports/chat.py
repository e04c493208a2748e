"""Files for chats: save an export and describe it as an outbox attachment for a channel.

Commands and scheduled jobs use this; the channels turn the attachment into sendPhoto or
sendDocument. Zalo sends a photo only by URL and no documents (Zalo Bot API notes, sendPhoto),
so for Zalo a card goes out as a signed, expiring link when a public URL is configured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from handlers.exports import files
from handlers.exports.links import Exports

log = logging.getLogger(__name__)

URL_ONLY_CHANNELS = frozenset({"zalo"})
"""Channels that take a photo only as a URL and no documents."""


@dataclass(frozen=True)
class Delivery:
    """How a saved file reaches a chat: as an attachment, as a link in the text, or not at all."""

    attachment: dict[str, Any] | None
    link: str | None
    path: Path


def deliver(exports: Exports, *, data: bytes | str, filename: str, channel: str, caption: str,
            now: datetime) -> Delivery:
    """Save `data` under the export folder and say how it goes to a chat on `channel`."""
    path = files.save(data, directory=exports.directory, filename=filename)
    # Files live as long as their links (plus a day for the send to happen), then go.
    files.prune(exports.directory, now=now, keep=exports.links.ttl + timedelta(days=1))
    kind = "photo" if filename.endswith(".png") else "document"
    if channel not in URL_ONLY_CHANNELS:
        attachment = {"type": kind, "path": str(path), "filename": filename, "caption": caption}
        return Delivery(attachment, None, path)
    url = exports.links.url_for(path, now)
    if url is None:
        log.info("no public URL: the %s for %s goes out as text only", kind, channel)
        return Delivery(None, None, path)
    if kind == "photo":
        attachment = {"type": "photo", "url": url, "path": str(path), "filename": filename,
                      "caption": caption}
        return Delivery(attachment, url, path)
    return Delivery(None, url, path)

"""Downloading the photos and documents people send, before the core sees the update.

getFile, then the file URL (Bot API notes §1). That URL holds the bot token: it is never logged.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram.errors import describe
from bot.channels.telegram.inbound import NAME
from handlers.files import StoredFile, save_file
from handlers.types import Inbound, InboundKind

log = logging.getLogger(__name__)

API_LIMIT = 20 * 1024 * 1024
"""getFile serves files up to 20 MB (Bot API, getFile); a larger one cannot be downloaded."""
DOWNLOAD_TIMEOUT = 60.0


class FileRefused(Exception):
    """The file was not downloaded; `reason` is `too_large` or `unavailable`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileFetcher:
    """Downloads one update's file into memory (up to `max_bytes`) and stores it under `root`."""

    def __init__(self, bot: Bot, *, root: Path, max_bytes: int,
                 timeout: float = DOWNLOAD_TIMEOUT) -> None:
        self.bot, self.root, self.timeout = bot, root, timeout
        self.max_bytes = min(max_bytes, API_LIMIT)

    async def attach(self, inbound: Inbound) -> Inbound:
        """Return `inbound` with its file stored (`attachment`; `path`, `filename` for a document).

        When the file cannot be had, the payload says why in `attachment_error`, so the core
        answers politely.
        """
        try:
            extra = await self._fetch(inbound)
        except FileRefused as refused:
            log.info("telegram: file of update %s not kept (%s)", inbound.update_id, refused.reason)
            extra = {"attachment_error": refused.reason}
        return dataclasses.replace(inbound, payload=inbound.payload | extra)

    async def _fetch(self, inbound: Inbound) -> dict[str, Any]:
        payload = inbound.payload
        if int(payload.get("file_size") or 0) > self.max_bytes:
            raise FileRefused("too_large")  # known from the message: no need to ask for it
        data = await self._download(str(payload["file_id"]))
        is_document = inbound.kind == InboundKind.FILE
        name = str(payload.get("file_name") or "")
        stored: StoredFile = await asyncio.to_thread(
            save_file, self.root, data, channel=NAME,
            content_type=str(payload.get("mime_type") or "application/octet-stream"),
            filename=name if is_document else None)
        log.info("telegram: file of update %s stored (%d bytes)", inbound.update_id, len(data))
        extra: dict[str, Any] = {"attachment": stored.as_payload()}
        if is_document:
            extra |= {"path": str((self.root / stored.path).absolute()),
                      "filename": name or Path(stored.path).name}
        return extra

    async def _download(self, file_id: str) -> bytes:
        try:
            remote = await self.bot.get_file(file_id)
            if (remote.file_size or 0) > self.max_bytes:
                raise FileRefused("too_large")
            data = await remote.download_as_bytearray(read_timeout=self.timeout)
        except BadRequest as exc:
            reason = describe(exc)
            log.warning("telegram: getFile refused (%s)", reason)
            raise FileRefused("too_large" if "too big" in reason.lower() else "unavailable") from None
        except (TelegramError, RuntimeError) as exc:
            # RuntimeError: getFile gave no file_path. Only the error's text is logged (tokens
            # removed): never the File object or its URL.
            log.warning("telegram: file download failed (%s: %s)", type(exc).__name__,
                        describe(exc))
            raise FileRefused("unavailable") from None
        if len(data) > self.max_bytes:
            raise FileRefused("too_large")
        return bytes(data)

"""Downloading inbound photos at once (their URLs may expire, spec §4), with a host list and a cap."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import aiohttp
from yarl import URL

from handlers.files import StoredFile, save_file

log = logging.getLogger(__name__)


class MediaRefused(Exception):
    """The photo was not downloaded; `reason` is `not_allowed`, `too_large` or `unavailable`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MediaFetcher:
    """Fetches images from allowed hosts only, up to `max_bytes`, and stores them under `root`."""

    def __init__(self, *, hosts: Sequence[str], max_bytes: int, root: Path, timeout: float = 20.0,
                 channel: str = "zalo") -> None:
        self.hosts = tuple(h.lower().lstrip(".") for h in hosts)
        self.max_bytes, self.root, self.timeout, self.channel = max_bytes, root, timeout, channel
        self._session: aiohttp.ClientSession | None = None

    def allowed(self, url: str) -> bool:
        """Tell whether `url` is http(s) on one of the allowed hosts or their subdomains."""
        parsed = URL(url)
        host = (parsed.host or "").lower()
        return parsed.scheme in ("https", "http") and any(
            host == h or host.endswith("." + h) for h in self.hosts)

    async def fetch(self, url: str) -> StoredFile:
        """Download and store one image; raise MediaRefused with the reason otherwise."""
        if not self.allowed(url):
            log.warning("photo from host %s refused (not an allowed media host)", URL(url).host)
            raise MediaRefused("not_allowed")
        try:
            data, content_type = await self._download(url)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("photo download failed: %s", type(exc).__name__)
            raise MediaRefused("unavailable") from None
        return await asyncio.to_thread(save_file, self.root, data, content_type=content_type,
                                       channel=self.channel)

    async def _download(self, url: str) -> tuple[bytes, str]:
        # No redirects: a redirect could lead to a host we did not allow.
        async with self._http().get(url, allow_redirects=False,
                                    timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
            content_type = resp.content_type.lower()
            if resp.status != 200 or not content_type.startswith("image/"):
                raise MediaRefused("unavailable")
            if (resp.content_length or 0) > self.max_bytes:
                raise MediaRefused("too_large")
            data = await resp.content.read(self.max_bytes + 1)
            while len(data) <= self.max_bytes and (chunk := await resp.content.read(65536)):
                data += chunk
            if len(data) > self.max_bytes:
                raise MediaRefused("too_large")
            return data, content_type

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

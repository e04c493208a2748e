"""Unguessable, expiring links to exported cards: an HMAC over the file name and expiry, no table.

Zalo sends a photo only by URL (Zalo Bot API notes, sendPhoto), so a card for Zalo is served by
the web server under such a link when `web.public_url` is configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from handlers.settings import ReportSettings

KEY_FILE = ".card-key"
NAME = re.compile(r"^[A-Za-z0-9_-]+\.(png|xlsx|csv)$")


def load_key(secret: str, directory: Path) -> bytes:
    """Return the signing key: the configured secret, else a random key kept in `directory`."""
    if secret:
        return secret.encode()
    path = directory / KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip().encode()


@dataclass(frozen=True)
class CardLinks:
    """Signs and checks `/cards/<expires>/<signature>/<file>` links to files in `directory`."""

    directory: Path
    secret: str
    ttl: timedelta
    public_url: str = ""

    @cached_property
    def key(self) -> bytes:
        """Return the signing key, read (or made) on first use."""
        return load_key(self.secret, self.directory)

    @property
    def enabled(self) -> bool:
        """Tell whether links can be given out (a public URL is configured)."""
        return bool(self.public_url)

    def _sign(self, name: str, expires: int) -> str:
        digest = hmac.new(self.key, f"{name}|{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")

    def path_for(self, path: Path, now: datetime) -> str:
        """Return the server path of a link to `path` that expires after the TTL."""
        expires = int((now + self.ttl).timestamp())
        return f"/cards/{expires}/{self._sign(path.name, expires)}/{path.name}"

    def url_for(self, path: Path, now: datetime) -> str | None:
        """Return the public URL of a link to `path`, or None when no public URL is configured."""
        if not self.enabled:
            return None
        return self.public_url.rstrip("/") + self.path_for(path, now)

    def resolve(self, *, expires: str, signature: str, name: str, now: datetime) -> Path | None:
        """Return the file a link points at, or None if it is forged, expired or gone."""
        if not (expires.isdigit() and NAME.match(name)):
            return None
        if not hmac.compare_digest(self._sign(name, int(expires)), signature):
            return None
        if now.timestamp() > int(expires):
            return None
        path = self.directory / name
        return path if path.is_file() else None


@dataclass(frozen=True)
class Exports:
    """What commands and jobs need to make files for chats: settings and card links."""

    settings: ReportSettings
    links: CardLinks

    @property
    def directory(self) -> Path:
        """Return where exported files go."""
        return self.links.directory


def create(settings: ReportSettings, *, public_url: str = "") -> Exports:
    """Build the exports context from settings."""
    directory = Path(settings.export_dir)
    return Exports(settings, CardLinks(directory, settings.card_key,
                                       timedelta(hours=settings.card_ttl_hours), public_url))

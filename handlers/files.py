"""Files people send, kept on disk by content hash. No database: recording one is a service's job.

Channel adapters store what they download here before the core sees the update.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}
MAX_NAME_BYTES = 150
"""A kept file name's UTF-8 length cap (file systems allow 255 bytes; Vietnamese takes 2–3 each)."""
_UNSAFE = re.compile(r"[^\w .()+-]")


@dataclass(frozen=True)
class StoredFile:
    """A file on disk, as it travels in `Inbound.payload["attachment"]`."""

    path: str
    sha256: str
    size_bytes: int
    content_type: str

    def as_payload(self) -> dict[str, Any]:
        """Return the JSON form carried by an Inbound."""
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> StoredFile:
        """Rebuild from an Inbound's payload."""
        return cls(str(data["path"]), str(data["sha256"]), int(data["size_bytes"]),
                   str(data["content_type"]))


def save_file(root: Path, data: bytes, *, content_type: str, channel: str,
              filename: str | None = None) -> StoredFile:
    """Write `data` under `root/<channel>/<sha256>.<ext>` (once) and describe it.

    With `filename` (a document's own name) it goes to `root/<channel>/<sha256>/<safe name>`, so
    the name a person gave is kept while the content still decides where it lives.
    """
    digest = hashlib.sha256(data).hexdigest()
    extension = EXTENSIONS.get(content_type, ".bin")
    relative = (Path(channel) / digest / safe_filename(filename, fallback=f"file{extension}")
                if filename is not None else Path(channel) / f"{digest}{extension}")
    target = root / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return StoredFile(str(relative), digest, len(data), content_type)


def safe_filename(name: str, *, fallback: str = "file") -> str:
    """Return `name` fit to store: no directories, no control or shell characters, not hidden.

    Letters of any script stay (Vietnamese names are common); the length is capped in UTF-8 bytes,
    keeping the extension.
    """
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = " ".join(_UNSAFE.sub("_", base).split()).strip(" .")
    if not base:
        return fallback
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or len(suffix) > 16:
        stem, suffix = base, ""
    suffix = f".{suffix}" if suffix else ""
    room = MAX_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:room].decode(errors="ignore").rstrip(" .") or "file"
    return stem + suffix

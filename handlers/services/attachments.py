"""Files people send (photos as evidence): stored on disk by content hash, recorded per member.

Channel adapters download and `save_file`; a dialog step that accepts the file calls `record`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment
from storage.repositories import attachments

log = logging.getLogger(__name__)

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


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


def save_file(root: Path, data: bytes, *, content_type: str, channel: str) -> StoredFile:
    """Write `data` under `root/<channel>/<sha256>.<ext>` (once) and describe it."""
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(channel) / f"{digest}{EXTENSIONS.get(content_type, '.bin')}"
    target = root / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return StoredFile(str(relative), digest, len(data), content_type)


async def record(session: AsyncSession, stored: StoredFile, *, channel: str, member_id: int | None,
                 caption: str = "") -> int:
    """Record a stored file sent by a member; return its id (kept in a draft until submitted)."""
    row = await attachments.add(session, Attachment(
        channel=channel, member_id=member_id, path=stored.path, sha256=stored.sha256,
        content_type=stored.content_type, size_bytes=stored.size_bytes, caption=caption[:2000]))
    log.info("attachment %s recorded for member %s (%d bytes)", row.id, member_id, stored.size_bytes)
    return row.id


async def attach_to_initiative(session: AsyncSession, ids: Sequence[str | int], *,
                               initiative_id: int, member_id: int) -> None:
    """Link a member's recorded files to the initiative they were sent for."""
    if not ids:
        return
    await attachments.link_to_initiative(session, [int(i) for i in ids],
                                         initiative_id=initiative_id, member_id=member_id)

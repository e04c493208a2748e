"""Files people send (photos as evidence), recorded per member once stored (handlers/files.py).

Channel adapters download and `save_file`; a dialog step that accepts the file calls `record`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.files import StoredFile, safe_filename, save_file
from storage.models import Attachment
from storage.repositories import attachments

log = logging.getLogger(__name__)

__all__ = ["StoredFile", "attach_to_initiative", "record", "safe_filename", "save_file"]

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

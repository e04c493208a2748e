"""Photos sent as supporting evidence while registering an initiative (the content step).

The channel adapter downloads the photo and puts it in `Inbound.payload["attachment"]` (see
`handlers.services.attachments.StoredFile`), or `payload["attachment_error"]` when it could not.
"""

from __future__ import annotations

from typing import Any

from handlers.dialogs.validation import require_text
from handlers.errors import UserError
from handlers.services import attachments
from handlers.turn import Turn

MAX_PHOTOS = 10


def take_photo(turn: Turn, draft: Any, *, content_min: int, content_max: int) -> bool:
    """Check a photo can be kept; return True when its caption can serve as the content text."""
    if "attachment" not in turn.inbound.payload:
        raise UserError("register/photo_failed",
                        reason=str(turn.inbound.payload.get("attachment_error", "unavailable")))
    if len(draft.attachments) >= MAX_PHOTOS:
        raise UserError("register/too_many_photos", max=MAX_PHOTOS)
    try:
        draft.content = require_text(turn.inbound.text, min_len=content_min, max_len=content_max,
                                     multiline=True)
    except UserError:
        return False
    return True


async def keep_photo(turn: Turn, draft: Any, *, used_caption: bool) -> None:
    """Record the photo for this member and add it to the draft."""
    stored = attachments.StoredFile.from_payload(turn.inbound.payload["attachment"])
    attachment_id = await attachments.record(
        turn.session, stored, channel=turn.inbound.chat.channel,
        member_id=turn.member.id if turn.member else None, caption=turn.inbound.text)
    # A new list, not append: the loaded draft shares its lists with the state's JSON, and an
    # in-place change would look unchanged to SQLAlchemy (the step would not be saved).
    draft.attachments = [*draft.attachments, str(attachment_id)]
    turn.reply("register/photo_received", count=len(draft.attachments), used_caption=used_caption)


async def attach_to(turn: Turn, draft: Any, initiative_id: int) -> None:
    """Link the draft's photos to the initiative just registered."""
    if draft.attachments and turn.member is not None:
        await attachments.attach_to_initiative(turn.session, draft.attachments,
                                               initiative_id=initiative_id,
                                               member_id=turn.member.id)

"""Telling district staff about a problem of the bot itself (a quota ran out, a token was refused)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.recipients import dm_chat
from handlers.texts import Renderer
from storage.models import OutboxStatus, Priority, Role
from storage.repositories import outbox, staff

log = logging.getLogger(__name__)

STAFF_ROLES = (Role.STAFF.value, Role.ADMIN.value)


async def notify_staff(session: AsyncSession, *, renderer: Renderer, template: str,
                       data: Mapping[str, Any], markups: Mapping[str, str], now: datetime,
                       dedup: str) -> int:
    """Queue a notice to every staff member's private chat on the channels in `markups`.

    `markups` maps each channel to reach to its markup mode (the failing channel is left out by the
    caller), in their private chat there (see `recipients.dm_chat`). Returns how many notices were
    newly queued;
    `dedup` keeps one notice per person and channel.
    """
    queued = 0
    for member, identity in await staff.list_identities(session, roles=STAFF_ROLES,
                                                        channels=list(markups)):
        chat_id = dm_chat(identity.channel, identity.user_id).chat_id
        text = renderer.render(template, markup=markups[identity.channel], **data)
        new_id = await outbox.add(session, {
            "channel": identity.channel, "chat_id": chat_id, "is_group": False,
            "member_id": member.id, "text": text, "choices": [],
            "dedup_key": f"{dedup}:{identity.channel}:{member.id}"[:200],
            "priority": Priority.NOTICE, "not_before": now, "created_at": now,
            "status": OutboxStatus.PENDING, "attempts": 0})
        queued += new_id is not None
    if not queued:
        log.warning("no staff notice queued for %s (no staff account on %s, or already told)",
                    dedup, ", ".join(markups) or "any other channel")
    return queued

"""Operators' care of the outbox: list stuck rows, resend or dismiss them, count them.

Only `uncertain` and `failed` rows are ever put back; nothing here calls a channel. A resent row
becomes `pending` again and the running bot's sender delivers it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import audit
from storage.models import OutboxStatus
from storage.repositories import outbox as outbox_repo

log = logging.getLogger(__name__)

RESENDABLE = (OutboxStatus.UNCERTAIN, OutboxStatus.FAILED)
DISMISSABLE = (OutboxStatus.UNCERTAIN,)
# A dismissed row keeps the honest status `failed` (not known to have arrived, not tried again);
# this prefix tells it apart from a row the sender gave up on.
DISMISSED_PREFIX = "dismissed:"


@dataclass(frozen=True)
class QueuedMessage:
    """One outbox row as an operator sees it: no phone number, the member by name."""

    id: int
    channel: str
    chat_id: str
    member_name: str | None
    status: str
    attempts: int
    claimed_by: str | None
    claimed_at: datetime | None
    last_error: str | None
    text: str


@dataclass(frozen=True)
class Change:
    """What a resend or dismiss did: the rows changed, and the others with their status."""

    changed: list[int] = field(default_factory=list)
    refused: dict[int, str | None] = field(default_factory=dict)  # None: no such row


async def list_messages(session: AsyncSession, *, status: str, limit: int) -> list[QueuedMessage]:
    """List up to `limit` rows in `status`, oldest first."""
    rows = await outbox_repo.list_by_status(session, status=status, limit=limit)
    return [QueuedMessage(id=r.id, channel=r.channel, chat_id=r.chat_id,
                          member_name=r.member_name, status=r.status, attempts=r.attempts,
                          claimed_by=r.claimed_by, claimed_at=r.claimed_at,
                          last_error=r.last_error, text=r.text) for r in rows]


async def resend(session: AsyncSession, ids: Sequence[int], *, now: datetime, by: str) -> Change:
    """Put the `uncertain` or `failed` rows among `ids` back to `pending`, due now.

    The attempts start again from 0. Rows in any other status (or unknown ids) are left alone and
    reported in `refused`.
    """
    values = {"status": OutboxStatus.PENDING, "attempts": 0, "not_before": now,
              "claimed_by": None, "claimed_at": None, "sent_at": None,
              "last_error": f"resent by operator ({by})"}
    return await _change(session, ids, allowed=RESENDABLE, values=values, now=now, by=by,
                         action="outbox.resend")


async def dismiss(session: AsyncSession, ids: Sequence[int], *, now: datetime, by: str) -> Change:
    """Close the `uncertain` rows among `ids` without resending them: `failed`, "dismissed: …"."""
    values = {"status": OutboxStatus.FAILED,
              "last_error": f"{DISMISSED_PREFIX} uncertain, not resent ({by})"}
    return await _change(session, ids, allowed=DISMISSABLE, values=values, now=now, by=by,
                         action="outbox.dismiss")


async def _change(session: AsyncSession, ids: Sequence[int], *, allowed: Sequence[str],
                  values: dict[str, object], now: datetime, by: str, action: str) -> Change:
    wanted = list(dict.fromkeys(ids))
    rows = await outbox_repo.update_if_status(session, wanted, allowed=allowed, values=values)
    for row in rows:
        await audit.record(session, at=now, actor=None, action=action, subject=f"outbox:{row.id}",
                           before={"status": row.status}, after={"status": values["status"]},
                           note=by)
    changed = {row.id for row in rows}
    others = [i for i in wanted if i not in changed]
    statuses = await outbox_repo.statuses_of(session, others) if others else {}
    if changed:  # the audit log keeps it; at INFO it would break the CLI's one-line stderr
        log.debug("%s by %s: outbox rows %s", action, by, sorted(changed))
    return Change(changed=[i for i in wanted if i in changed],
                  refused={i: statuses.get(i) for i in others})


async def count_by_channel(session: AsyncSession) -> dict[str, dict[str, int]]:
    """Count rows per channel and status; every status appears, with 0 when there is none."""
    counts: dict[str, dict[str, int]] = {}
    for (channel, status), number in (await outbox_repo.count_by_channel_and_status(session)).items():
        counts.setdefault(channel, {s.value: 0 for s in OutboxStatus})[status] = number
    return dict(sorted(counts.items()))

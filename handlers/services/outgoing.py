"""Outgoing messages: queued with the change behind them, claimed for sending, each outcome kept.

The router and jobs queue rows here in their own transaction; the outbox sender (handlers/
delivery.py) claims them, marks each `sending` before its platform call and records what came
of it. Rows never leave here twice: see docs/reliability.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handlers.types import ChatRef, Outbound
from storage.models import OutboxStatus, Priority
from storage.repositories import outbox as repo
from storage.work import Work

Status = OutboxStatus


@dataclass(frozen=True)
class Claimed:
    """A row this worker holds for sending: `marked` when it is already `sending` (committed)."""

    id: int
    attempts: int
    message: Outbound
    marked: bool = False


def reply_row(chat: ChatRef, *, text: str, choices: Sequence[str], dedup_key: str,
              member_id: int | None, now: datetime,
              attachment: dict[str, Any] | None = None) -> dict[str, Any]:
    """Describe a reply to queue, due now, ahead of scheduled outreach."""
    return {"channel": chat.channel, "chat_id": chat.chat_id, "is_group": chat.is_group,
            "member_id": member_id, "text": text, "choices": list(choices),
            "dedup_key": dedup_key, "attachment": attachment, "priority": Priority.REPLY,
            "not_before": now, "created_at": now, "status": OutboxStatus.PENDING, "attempts": 0}


async def queue(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Queue rows in one statement; return the ids of those that were new (a dedup key is kept)."""
    return await repo.add_many(session, rows)


async def queue_replies(work: Work, rows: Sequence[dict[str, Any]], *, worker: str,
                        at_once: Collection[str], room: Callable[[ChatRef], bool],
                        now: datetime) -> tuple[list[Claimed], list[int]]:
    """Queue an update's replies; this worker holds those for a channel in `at_once`.

    A held reply that can leave at once (`room` says its channel has room now, and it is the
    first for its chat) is queued already `sending`: that saves the two transactions a claim and
    its mark would cost, and a kill between this commit and the call leaves only it `uncertain`.
    The other held replies are queued `claimed` by this worker and marked just before their
    calls. Returns the rows held and the ids left `pending` (other channels). A dedup key already
    queued is skipped.
    """
    claimed: list[Claimed] = []
    waiting: list[int] = []
    chats: set[tuple[str, str]] = set()
    for row in rows:
        chat = ChatRef(row["channel"], row["chat_id"], row["is_group"])
        held = row["channel"] in at_once
        now_sending = held and (chat.channel, chat.chat_id) not in chats and room(chat)
        values = {**row, "status": OutboxStatus.SENDING if now_sending else OutboxStatus.CLAIMED,
                  "claimed_by": worker, "claimed_at": now, "attempts": 1} if held else \
            {**row, "claimed_by": None, "claimed_at": None}
        row_id = await repo.queue_one(work, values)
        if row_id is None:
            continue
        chats.add((chat.channel, chat.chat_id))
        if held:
            claimed.append(Claimed(row_id, 1, outbound_of(row_id, row), marked=now_sending))
        else:
            waiting.append(row_id)
    return claimed, waiting


async def claim(session: AsyncSession, *, ids: Sequence[int] | None, worker: str, now: datetime,
                channels: Sequence[str], limit: int) -> list[Claimed]:
    """Claim due pending rows (all, or among `ids`), in send order."""
    rows = await repo.claim(session, ids=ids, worker=worker, now=now, limit=limit,
                            channels=channels)
    return [Claimed(row.id, row.attempts, outbound(row)) for row in rows]


async def held_replies(session: AsyncSession, *, channel: str, update_id: str,
                       worker: str) -> list[Claimed]:
    """The replies to an update that `worker` queued as its own and still holds.

    For an update whose commit went through though its answer was lost (a connection cut at
    COMMIT): run again, it is a duplicate, and its replies would wait for their lease.
    """
    rows = await repo.held_by(session, key_prefix=f"reply:{channel}:{update_id}:", worker=worker)
    return [Claimed(row.id, row.attempts, outbound(row), marked=row.status == OutboxStatus.SENDING)
            for row in rows]


async def start_sending(work: Work, ids: Sequence[int], *, worker: str,
                        now: datetime) -> set[int]:
    """Mark claimed rows `sending` just before their calls; return those still this worker's."""
    return await repo.start_sending(work, ids, worker=worker, now=now)


async def unmark_sending(session: AsyncSession, row_id: int, *, worker: str,
                         now: datetime) -> bool:
    """Put a row marked `sending` but not sent back to `claimed` (it must wait after all)."""
    return await repo.unmark_sending(session, row_id, worker=worker, now=now)


async def record_parts(session: AsyncSession, row_id: int, parts: int) -> None:
    """Record how many parts of a split message have left (a retry sends only the rest)."""
    await repo.record_parts(session, row_id, parts)


async def record_sent(work: Work, sent: Sequence[tuple[int, str | None]], *,
                      now: datetime) -> None:
    """Mark delivered rows `sent`, with the platform's message ids."""
    await repo.mark_sent(work, sent, now=now)


async def mark_wave(conn: AsyncConnection, sent: Sequence[tuple[int, str | None]],
                    starting: Sequence[int], *, worker: str, now: datetime) -> set[int]:
    """PostgreSQL: record a wave's `sent` and `sending` marks in one statement (autocommit)."""
    return await repo.mark_wave(conn, sent, starting, worker=worker, now=now)


async def flag_stale(session: AsyncSession, *, before: datetime) -> list[int]:
    """Turn rows left `sending` since before `before` into `uncertain` (never resent blindly)."""
    return list(await repo.flag_stale_sending(session, before=before))


async def postpone(session: AsyncSession, ids: Sequence[int], *, worker: str,
                   until: datetime) -> None:
    """Put rows this worker claimed back, due at `until` (the claim was not an attempt)."""
    await repo.postpone(session, ids, worker=worker, until=until)


async def set_outcome(session: AsyncSession, row_id: int, *, status: str,
                      error: str | None = None, not_before: datetime | None = None,
                      attempt_counts: bool = True) -> None:
    """Record what came of one send: back to pending (later), failed, gone or uncertain."""
    await repo.set_outcome(session, row_id, status=status, error=error, not_before=not_before,
                           attempt_counts=attempt_counts)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """Count rows per status (for /healthz and /metrics)."""
    return await repo.count_by_status(session)


def outbound(row: Any) -> Outbound:
    """Turn a claimed row into the message a channel sends."""
    return Outbound(chat=ChatRef(row.channel, row.chat_id, row.is_group), text=row.text,
                    choices=tuple(row.choices or ()), outbox_id=row.id,
                    attachment=row.attachment, parts_done=row.parts_sent or 0)


def outbound_of(row_id: int, row: dict[str, Any]) -> Outbound:
    """Turn a row just queued (its values in hand, no read back) into the message to send."""
    return Outbound(chat=ChatRef(row["channel"], row["chat_id"], row["is_group"]),
                    text=row["text"], choices=tuple(row["choices"]), outbox_id=row_id,
                    attachment=row["attachment"])

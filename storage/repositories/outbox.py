"""The outbox: messages queued in the transaction that caused them, sent after commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Row, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Member, OutboxMessage, OutboxStatus
from storage.prepared import Prepared
from storage.upsert import dialect_name, insert_ignore, insert_of
from storage.work import Work, on_driver


async def add(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Queue a message; None when its dedup_key was already queued (it is never sent twice)."""
    return await insert_ignore(session, OutboxMessage, values, conflict=("dedup_key",))


async def claim(
    session: AsyncSession, *, ids: Sequence[int] | None, worker: str, now: datetime,
    channels: Sequence[str], limit: int = 50,
) -> list[Row[Any]]:
    """Mark due pending rows `claimed` by this worker and return them (commit before sending).

    One `UPDATE … RETURNING` statement. On PostgreSQL the rows are picked with
    `FOR UPDATE SKIP LOCKED`, so several workers share the queue without waiting on each other;
    SQLite serialises writers (BEGIN IMMEDIATE). Returned in send order (priority, then id).
    """
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now,
                  OutboxMessage.channel.in_(channels))
           .order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit))
    if ids is not None:
        due = due.where(OutboxMessage.id.in_(ids))
    if dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
            .values(status=OutboxStatus.CLAIMED, claimed_by=worker, claimed_at=now,
                    attempts=OutboxMessage.attempts + 1)
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False))
    rows = list((await session.execute(stmt)).all())
    return sorted(rows, key=lambda row: (row.priority, row.id))


_CLAIMED_COLUMNS = (OutboxMessage.id, OutboxMessage.channel, OutboxMessage.chat_id,
                    OutboxMessage.is_group, OutboxMessage.text, OutboxMessage.choices,
                    OutboxMessage.attachment, OutboxMessage.attempts, OutboxMessage.priority,
                    OutboxMessage.parts_sent)


async def held_by(session: AsyncSession, *, key_prefix: str, worker: str) -> list[Row[Any]]:
    """List the rows `worker` still holds (claimed or sending) whose dedup key starts so.

    With their status, in send order.
    """
    stmt = (select(*_CLAIMED_COLUMNS, OutboxMessage.status)
            .where(OutboxMessage.dedup_key.startswith(key_prefix, autoescape=True),
                   OutboxMessage.claimed_by == worker,
                   OutboxMessage.status.in_([OutboxStatus.CLAIMED, OutboxStatus.SENDING]))
            .order_by(OutboxMessage.priority, OutboxMessage.id))
    return list((await session.execute(stmt)).all())


async def get(session: AsyncSession, row_id: int) -> OutboxMessage | None:
    """Return one outbox row."""
    return await session.get(OutboxMessage, row_id)


async def start_sending(work: Work, ids: Sequence[int], *, worker: str, now: datetime) -> set[int]:
    """Mark rows this worker claimed `sending`, just before their platform calls.

    Returns the ids still claimed by this worker; a row missing from the answer was taken back
    meanwhile (its lease ran out) and must not be sent. One prepared statement for the whole
    wave (the ids as one array on PostgreSQL, one JSON list on SQLite).
    """
    if not ids:
        return set()
    found = await work.write(_START_SENDING, {"ids": list(ids), "worker": worker, "at": now})
    return {row[0] for row in found}


def _start_sending_statement(dialect: str) -> Any:
    if dialect == "postgresql":
        chosen = _TABLE.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger)))
    else:
        listed = func.json_each(bindparam("ids", type_=JSON)).table_valued("value")
        chosen = _TABLE.c.id.in_(select(listed.c.value))
    return (update(_TABLE)
            .where(chosen, _TABLE.c.status == OutboxStatus.CLAIMED,
                   _TABLE.c.claimed_by == bindparam("worker"))
            .values(status=OutboxStatus.SENDING,
                    claimed_at=bindparam("at", type_=_TABLE.c.claimed_at.type))
            .returning(_TABLE.c.id))


async def unmark_sending(session: AsyncSession, row_id: int, *, worker: str,
                         now: datetime) -> bool:
    """Turn a row this worker marked `sending` but has not sent back to `claimed`.

    For a reply held with its update that must wait after all: a kill while it waits then
    leaves it claimed (sent later by another worker), not uncertain. False when it is no longer
    this worker's.
    """
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.SENDING,
                   OutboxMessage.claimed_by == worker)
            .values(status=OutboxStatus.CLAIMED, claimed_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False))
    return (await session.execute(stmt)).first() is not None


async def record_parts(session: AsyncSession, row_id: int, parts: int) -> None:
    """Record that the first `parts` parts of a split message were delivered."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                          .values(parts_sent=parts)
                          .execution_options(synchronize_session=False))


# One wave of marks on PostgreSQL in one autocommit statement (one round trip instead of BEGIN,
# the statements and COMMIT): the rows delivered become `sent`, the claimed rows about to be sent
# become `sending` (those still this worker's are returned). PostgreSQL runs both updates whether
# or not the result names them; they touch different rows (`sending` ones, `claimed` ones).
# A wave of `sent` marks only commits without waiting for the WAL flush (`relax`: a setting local
# to the statement's own transaction, read as the row the statement returns): a crash of the
# database server may lose the last few hundred milliseconds of them, and the rows left `sending`
# turn `uncertain`, never resent. A wave with a `sending` mark is flushed before its calls.
_MARK_WAVE = """
WITH relax AS (
    SELECT set_config('synchronous_commit', CASE WHEN cardinality($4::bigint[]) = 0 THEN 'off'
                      ELSE current_setting('synchronous_commit') END, true) AS durability
), delivered AS (
    UPDATE outbox AS o SET status = 'sent', last_error = NULL, sent_at = $3,
                           platform_message_id = d.platform_id
    FROM unnest($1::bigint[], $2::text[]) AS d(id, platform_id) WHERE o.id = d.id
), started AS (
    UPDATE outbox SET status = 'sending', claimed_at = $3
    WHERE id = ANY($4::bigint[]) AND status = 'claimed' AND claimed_by = $5
    RETURNING id
)
SELECT array(SELECT id FROM started) AS ids FROM relax
"""


async def mark_wave(conn: AsyncConnection, sent: Sequence[tuple[int, str | None]],
                    starting: Sequence[int], *, worker: str, now: datetime) -> set[int]:
    """PostgreSQL: mark `sent` rows delivered and `starting` rows `sending`, in one statement.

    Returns the ids of `starting` still claimed by this worker (as `start_sending`).
    """
    ids = await on_driver(conn, "fetchval", _MARK_WAVE, [row_id for row_id, _ in sent],
                          [platform_id for _, platform_id in sent], now, list(starting), worker)
    return set(ids)


async def flag_stale_sending(session: AsyncSession, *, before: datetime) -> Sequence[int]:
    """Mark rows left `sending` since before `before` as `uncertain`; return their ids.

    Such a row may or may not have reached the platform, so it is never resent blindly. Rows
    left `claimed` were never tried: they go back to `pending` (the claim is not an attempt).
    """
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.CLAIMED, OutboxMessage.claimed_at < before)
        .values(status=OutboxStatus.PENDING, claimed_by=None, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False))
    stmt = select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.SENDING,
                                          OutboxMessage.claimed_at < before)
    ids = list((await session.execute(stmt)).scalars().all())
    if ids:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                              .values(status=OutboxStatus.UNCERTAIN,
                                      last_error="found 'sending' after a crash or time-out"))
    return ids


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """Count outbox rows per status (for /healthz and metrics)."""
    counts: dict[str, int] = {}
    for (_, status), count in (await count_by_channel_and_status(session)).items():
        counts[status] = counts.get(status, 0) + count
    return counts


async def list_for_chat(session: AsyncSession, *, channel: str, chat_id: str) -> Sequence[OutboxMessage]:
    """List the messages queued for one chat, oldest first."""
    stmt = (select(OutboxMessage).where(OutboxMessage.channel == channel,
                                        OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id))
    return (await session.execute(stmt)).scalars().all()


async def add_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Queue many messages in batched multi-row INSERTs; return the ids of the rows that were new.

    A row whose dedup_key was already queued is skipped, as in `add`.
    """
    if not rows:
        return []
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__  # Core, not the ORM's bulk path: far fewer Python steps a row
    stmt = (insert(table).on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(table.c.id))
    result = await session.execute(stmt, list(rows))
    return list(result.scalars().all())


QUEUED_COLUMNS = ("channel", "chat_id", "is_group", "member_id", "text", "choices",
                  "attachment", "dedup_key", "priority", "not_before", "created_at", "status",
                  "attempts", "claimed_by", "claimed_at")
"""What a queued row is given; the rest starts empty."""
_TABLE = OutboxMessage.__table__
_QUEUE = Prepared(lambda dialect: (
    insert_of(dialect)(_TABLE)
    .values({name: bindparam(name, type_=_TABLE.c[name].type) for name in QUEUED_COLUMNS})
    .on_conflict_do_nothing(index_elements=["dedup_key"])
    .returning(_TABLE.c.id)))
_SENT = Prepared(lambda _: (
    update(_TABLE).where(_TABLE.c.id == bindparam("row_id"))
    .values(status=OutboxStatus.SENT, last_error=None,
            sent_at=bindparam("at", type_=_TABLE.c.sent_at.type),
            platform_message_id=bindparam("platform_id"))))
_START_SENDING = Prepared(_start_sending_statement)


async def queue_one(work: Work, row: dict[str, Any]) -> int | None:
    """Queue one row (`QUEUED_COLUMNS`); return its id, or None when its dedup key was queued."""
    found = await work.write(_QUEUE, row)
    return found[0][0] if found else None


async def mark_sent(work: Work, sent: Sequence[tuple[int, str | None]], *, now: datetime) -> None:
    """Mark delivered rows `sent` with the platform's message ids (one statement per row)."""
    await work.write_many(_SENT, [{"row_id": row_id, "platform_id": platform_id, "at": now}
                                  for row_id, platform_id in sent])


async def move_chat(session: AsyncSession, *, channel: str, old_chat_id: str, new_chat_id: str) -> int:
    """Point the not-yet-sent rows of a chat at its new id; return how many moved."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.chat_id == old_chat_id,
               OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.CLAIMED,
                                             OutboxStatus.SENDING]))
        .values(chat_id=new_chat_id))
    return result.rowcount or 0


async def list_by_status(session: AsyncSession, *, status: str, limit: int) -> list[Row[Any]]:
    """List rows in one status, oldest first, with the member's name (never the phone)."""
    stmt = (select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.chat_id,
                   Member.name.label("member_name"), OutboxMessage.status, OutboxMessage.attempts,
                   OutboxMessage.claimed_by, OutboxMessage.claimed_at, OutboxMessage.last_error,
                   OutboxMessage.text, OutboxMessage.created_at)
            .outerjoin(Member, Member.id == OutboxMessage.member_id)
            .where(OutboxMessage.status == status)
            .order_by(OutboxMessage.id).limit(limit))
    return list((await session.execute(stmt)).all())


async def count_by_channel_and_status(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Count outbox rows per (channel, status)."""
    stmt = (select(OutboxMessage.channel, OutboxMessage.status, func.count(OutboxMessage.id))
            .group_by(OutboxMessage.channel, OutboxMessage.status))
    return {(channel, status): count
            for channel, status, count in (await session.execute(stmt)).all()}


async def statuses_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    """Return the status of each of these rows that exists."""
    stmt = select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(ids))
    return dict((await session.execute(stmt)).all())


async def update_if_status(
    session: AsyncSession, ids: Sequence[int], *, allowed: Sequence[str], values: dict[str, Any],
) -> list[Row[Any]]:
    """Update the rows among `ids` that are still in an `allowed` status; return (id, old status).

    The status test is part of the UPDATE, so a row a sender or another operator changed in the
    meantime is left alone. The old status is read under the same lock (FOR UPDATE on PostgreSQL).
    """
    if not ids:
        return []
    found = select(OutboxMessage.id, OutboxMessage.status).where(
        OutboxMessage.id.in_(ids), OutboxMessage.status.in_(allowed))
    if dialect_name(session) == "postgresql":
        found = found.with_for_update()
    rows = list((await session.execute(found)).all())
    if rows:
        await session.execute(update(OutboxMessage)
                              .where(OutboxMessage.id.in_([row.id for row in rows]),
                                     OutboxMessage.status.in_(allowed))
                              .values(**values).execution_options(synchronize_session=False))
    return rows


async def postpone(session: AsyncSession, ids: Sequence[int], *, worker: str,
                   until: datetime) -> None:
    """Put rows this worker still holds (claimed or sending) back to pending, due at `until`.

    The claim was not an attempt. A row taken back meanwhile belongs to another worker now and
    is left alone.
    """
    if not ids:
        return
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker,
               OutboxMessage.status.in_([OutboxStatus.CLAIMED, OutboxStatus.SENDING]))
        .values(status=OutboxStatus.PENDING, attempts=OutboxMessage.attempts - 1,
                not_before=until)
        .execution_options(synchronize_session=False))


async def set_outcome(session: AsyncSession, row_id: int, *, status: str, error: str | None,
                      not_before: datetime | None, attempt_counts: bool) -> None:
    """Record one send's outcome on its row (a try that does not count gives its attempt back)."""
    values: dict[str, Any] = {"status": status}
    if error is not None:
        values["last_error"] = error[:500]
    if not_before is not None:
        values["not_before"] = not_before
    if not attempt_counts:
        values["attempts"] = OutboxMessage.attempts - 1
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values)
                          .execution_options(synchronize_session=False))

"""Updates a bug stopped: kept whole when the person gets the apology, for operators to replay.

A replay handles the stored update again under its own id (`replay:<id>:<n>`), so its claim and
its replies are new; the person gets the real answer once the bug is fixed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import ChatRef, Inbound, InboundKind
from storage.models import FailedUpdate

ERROR_CHARS = 2000


@dataclass(frozen=True)
class Failed:
    """One failed update as an operator sees it."""

    id: int
    channel: str
    chat_id: str
    update_id: str
    error: str
    failed_at: datetime
    replayed_at: datetime | None
    replay_result: str | None
    inbound: Inbound


async def record(session: AsyncSession, inbound: Inbound, *, error: str, now: datetime) -> None:
    """Keep a failed update (once: a redelivered one that fails again is not added twice)."""
    found = await session.execute(select(FailedUpdate.id).where(
        FailedUpdate.channel == inbound.chat.channel, FailedUpdate.update_id == inbound.update_id))
    if found.first() is not None:
        return
    session.add(FailedUpdate(channel=inbound.chat.channel, update_id=inbound.update_id,
                             chat_id=inbound.chat.chat_id, inbound=as_json(inbound),
                             error=error[:ERROR_CHARS], failed_at=now))


async def list_failed(session: AsyncSession, *, limit: int,
                      replayed: bool = False) -> list[Failed]:
    """List failed updates, oldest first (those not replayed yet, unless `replayed`)."""
    stmt = select(FailedUpdate).order_by(FailedUpdate.id).limit(limit)
    if not replayed:
        stmt = stmt.where(FailedUpdate.replayed_at.is_(None))
    return [_failed(row) for row in (await session.execute(stmt)).scalars()]


async def get(session: AsyncSession, failed_id: int) -> Failed | None:
    """Return one failed update."""
    row = await session.get(FailedUpdate, failed_id)
    return _failed(row) if row is not None else None


async def mark_replayed(session: AsyncSession, failed_id: int, *, result: str,
                        now: datetime) -> None:
    """Record a replay's outcome (handled, failed, unavailable)."""
    row = await session.get(FailedUpdate, failed_id)
    if row is not None:
        row.replayed_at, row.replay_result = now, result[:40]


def replay_of(failed: Failed, attempt: int) -> Inbound:
    """Return the stored update under a new id, so it is claimed and answered afresh."""
    return dataclasses.replace(failed.inbound,
                               update_id=f"replay:{failed.id}:{attempt}:{failed.update_id}"[:96])


def as_json(inbound: Inbound) -> dict[str, Any]:
    """Describe an update as JSON (what a replay needs to handle it again)."""
    return {"chat": {"channel": inbound.chat.channel, "chat_id": inbound.chat.chat_id,
                     "is_group": inbound.chat.is_group},
            "user_id": inbound.user_id, "update_id": inbound.update_id, "kind": inbound.kind.value,
            "text": inbound.text, "user_name": inbound.user_name,
            "payload": _jsonable(inbound.payload)}


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items()
            if isinstance(v, str | int | float | bool | list | dict) or v is None}


def _failed(row: FailedUpdate) -> Failed:
    data = row.inbound
    inbound = Inbound(chat=ChatRef(**data["chat"]), user_id=data["user_id"],
                      update_id=data["update_id"], kind=InboundKind(data["kind"]),
                      text=data["text"], user_name=data.get("user_name", ""),
                      payload=dict(data.get("payload") or {}))
    return Failed(row.id, row.channel, row.chat_id, row.update_id, row.error, row.failed_at,
                  row.replayed_at, row.replay_result, inbound)

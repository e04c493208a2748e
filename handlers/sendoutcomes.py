"""What came of a send, recorded: sent parts, back to pending, uncertain, gone, failed, migrated.

One short transaction each, through the outgoing and chats services; calls no channel.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from handlers.channel import DeliveryUnknown
from handlers.clock import Clock
from handlers.services import chats as chat_service
from handlers.services import outgoing
from handlers.services.outgoing import Claimed, Status
from handlers.services.transactions import Sessions, unit_of_work

log = logging.getLogger(__name__)


class Outcomes:
    """Records outcomes for one worker's sender; remembers the earliest row it put back."""

    def __init__(self, sessions: Sessions, *, clock: Clock, worker: str) -> None:
        self.sessions, self.clock, self.worker = sessions, clock, worker
        self.next_due: datetime | None = None
        """The earliest time a row put back (`postpone`) falls due, for the sender's idle wait."""

    async def part_sent(self, row_id: int, parts: int) -> None:
        """Record that `parts` parts of a split text left (a retry on any worker resumes after)."""
        try:
            async with unit_of_work(self.sessions) as session:
                await outgoing.record_parts(session, row_id, parts)
        except Exception as exc:
            # A part left and could not be recorded: a retry might send it again, so none comes.
            log.exception("outbox row %s: part %d sent but not recorded", row_id, parts)
            raise DeliveryUnknown(f"part {parts} sent but not recorded") from exc

    async def unmark(self, row: Claimed) -> Claimed:
        """Take a held reply back to `claimed` before it waits; it is marked again before its call."""
        async with unit_of_work(self.sessions) as session:
            await outgoing.unmark_sending(session, row.id, worker=self.worker,
                                          now=self.clock.now())
        log.debug("outbox row %s held for its update must wait: claimed again", row.id)
        return replace(row, marked=False)

    async def put_back(self, row: Claimed) -> datetime:
        """Stopping: a row not yet sent goes back to pending, for whichever worker runs next."""
        now = self.clock.now()
        await self.postpone([row.id], until=now)
        return now

    async def uncertain(self, row: Claimed, error: str) -> None:
        """The call was made but its answer lost: keep the row `uncertain`, never resent blindly."""
        async with unit_of_work(self.sessions) as session:
            await outgoing.set_outcome(session, row.id, status=Status.UNCERTAIN,
                                       error=f"answer lost: {error}")
        log.warning("outbox row %s to %s may or may not have arrived (%s): kept 'uncertain', "
                    "not retried", row.id, row.message.chat.key, error)

    async def retry_at(self, row: Claimed, *, delay: float, error: str, counts: bool) -> datetime:
        """Put the row back to `pending`, due in `delay` seconds; return when."""
        until = self.clock.now() + timedelta(seconds=delay)
        async with unit_of_work(self.sessions) as session:
            await outgoing.set_outcome(session, row.id, status=Status.PENDING, error=error,
                                       not_before=until, attempt_counts=counts)
        self._due(until)
        return until

    async def postpone(self, row_ids: list[int], *, until: datetime) -> None:
        """Put claimed rows back, due at `until`, without counting the claim as an attempt."""
        if not row_ids:
            return
        async with unit_of_work(self.sessions) as session:
            await outgoing.postpone(session, row_ids, worker=self.worker, until=until)
        self._due(until)
        log.debug("outbox rows %s postponed until %s", row_ids, until.isoformat())

    async def gone(self, row: Claimed, error: str) -> None:
        """The person blocked the bot or left the chat: the row `gone`, the chat unreachable."""
        chat = row.message.chat
        async with unit_of_work(self.sessions) as session:
            await outgoing.set_outcome(session, row.id, status=Status.GONE, error=error)
            await chat_service.mark_unreachable(session, chat)
        log.info("chat %s is gone (%s); outbox row %s kept as gone", chat.key, error, row.id)

    async def migrate(self, row: Claimed, new_chat_id: str) -> None:
        """The group moved to a new id: record it and send the row again there."""
        old = row.message.chat
        async with unit_of_work(self.sessions) as session:
            await chat_service.migrate(session, channel=old.channel, old_chat_id=old.chat_id,
                                       new_chat_id=new_chat_id)
            await outgoing.set_outcome(session, row.id, status=Status.PENDING,
                                       attempt_counts=False)
        self._due(self.clock.now())

    async def fail(self, row_id: int, error: str) -> None:
        """Refused for good, or out of attempts: the row `failed`."""
        async with unit_of_work(self.sessions) as session:
            await outgoing.set_outcome(session, row_id, status=Status.FAILED, error=error)

    def _due(self, until: datetime) -> None:
        # A row put back pending wakes this worker's idle sender when it falls due.
        if self.next_due is None or until < self.next_due:
            self.next_due = until

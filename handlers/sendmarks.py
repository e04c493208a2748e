"""Group commit of the outbox marks around each platform call (`sending` before, `sent` after).

Used by the outbox sender (handlers/delivery.py) only; the writes go through the outgoing service.
"""

from __future__ import annotations

import asyncio

from handlers.clock import Clock
from handlers.services import outgoing
from handlers.services.transactions import Sessions, autocommit, begin_work, retry_transient

MARK_ATTEMPTS = 4


class StatusMarks:
    """Group commit of the marks around each platform call.

    `sending` must be committed before a call and `sent` right after it. Each mark waits for a
    commit, but marks asked for while a commit is under way share the next one: one short
    transaction per wave of concurrent sends instead of two per message, and no added delay.
    """

    def __init__(self, sessions: Sessions, *, clock: Clock, worker: str) -> None:
        self.sessions, self.clock, self.worker = sessions, clock, worker
        self.engine = sessions.kw["bind"]
        self._queue: list[tuple[int, str | None, bool, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def sending(self, row_id: int) -> bool:
        """Mark a claimed row `sending` (committed); False when its claim was taken back."""
        return await self._submit(row_id, None, sending=True)

    async def sent(self, row_id: int, platform_id: str | None) -> None:
        """Mark a row `sent` (committed)."""
        await self._submit(row_id, platform_id, sending=False)

    async def _submit(self, row_id: int, platform_id: str | None, *, sending: bool) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((row_id, platform_id, sending, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                mine = await self._commit(batch)
            except Exception as exc:
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for row_id, _, sending, future in batch:
                if not future.done():
                    future.set_result(row_id in mine if sending else True)

    async def _commit(self, batch: list[tuple[int, str | None, bool, asyncio.Future[bool]]]
                      ) -> set[int]:
        # A connection cut or a busy database must not leave a delivered message `sending` (a
        # live worker's row would turn `uncertain`): the marks are tried again, on a fresh
        # connection. Both are safe to repeat: `sent` is set again, and a `sending` mark that
        # did commit before its answer was lost finds the row no longer `claimed` (not sent).
        sent = [(r, p) for r, p, sending, _ in batch if not sending]
        starting = [r for r, _, sending, _ in batch if sending]

        async def commit() -> set[int]:
            now = self.clock.now()
            if self.engine.dialect.name == "postgresql":  # one round trip, not four
                async with autocommit(self.engine) as conn:
                    return await outgoing.mark_wave(conn, sent, starting, worker=self.worker,
                                                    now=now)
            async with begin_work(self.engine) as work:
                await outgoing.record_sent(work, sent, now=now)
                return await outgoing.start_sending(work, starting, worker=self.worker, now=now)

        return await retry_transient(commit, attempts=MARK_ATTEMPTS, base=0.05, cap=1.0)

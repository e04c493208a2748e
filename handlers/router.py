"""The router: one update = one transaction, from claiming its id to queueing its replies."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from handlers import backoff
from handlers.clock import Clock
from handlers.dispatch import Dispatcher
from handlers.errors import Unavailable, UserError
from handlers.exports.links import Exports
from handlers.metrics import Metrics
from handlers.services import chats as chat_service
from handlers.services import failed_updates, outgoing, transactions, updates
from handlers.services.conversations import Stale
from handlers.services.outgoing import Claimed
from handlers.services.web_access import SignInPolicy
from handlers.settings import ProgrammeSettings
from handlers.texts import Renderer
from handlers.turn import Turn
from handlers.types import ChannelLimits, ChatChange, ChatRef, Inbound

log = logging.getLogger(__name__)

RACE_ATTEMPTS = 2
TRANSIENT_ATTEMPTS = 3
"""Tries of an update while the database says "try again" (locked, deadlock, connection lost)."""
UNANSWERED_KEPT = 1000
"""How many updates given up as unavailable a worker remembers, for their redelivery."""
TRANSIENT_BACKOFF = 0.25


@dataclass(frozen=True)
class Handled:
    """What an update queued: replies this worker holds (`sending`) and rows left `pending`."""

    held: list[Claimed] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)
    duplicate: bool = False
    failed: bool = False
    """A bug stopped it: the person got an apology and the update is kept (failed_updates)."""

    @property
    def ids(self) -> list[int]:
        """Return the ids of every row queued."""
        return [row.id for row in self.held] + self.queued


class Router:
    """Turns each Inbound into state changes and queued replies, exactly once."""

    def __init__(self, *, sessions: transactions.Sessions, renderer: Renderer,
                 settings: ProgrammeSettings, clock: Clock,
                 limits: Mapping[str, ChannelLimits] | None = None,
                 exports: Exports | None = None, signin: SignInPolicy | None = None,
                 metrics: Metrics | None = None) -> None:
        self.sessions = sessions
        self.engine = sessions.kw["bind"]
        self.renderer = renderer
        self.settings = settings
        self.clock = clock
        self.limits = dict(limits or {})
        self.dispatcher = Dispatcher()
        self.bot_names = self.dispatcher.bot_names
        self.exports = exports
        self.signin = signin
        self.metrics = metrics or Metrics()
        self.worker = ""
        self.at_once: Collection[str] = ()
        """Channels whose replies this worker sends itself (held: claimed with the update)."""
        self.room: Callable[[ChatRef], bool] = _no_room
        """Whether a held reply to this chat could leave at once: then it is queued `sending`."""
        self._unanswered: dict[tuple[str, str], None] = {}
        """Updates given up as unavailable (oldest first): a try may have committed them."""

    async def handle(self, inbound: Inbound, *, apologise: bool = True) -> Handled:
        """Handle one update; return what it queued (nothing for a duplicate).

        A race with another worker, or a database that says "try again", runs it again (a few
        times, with back-off). Still unavailable: `Unavailable` is raised and nothing is kept,
        so the platform delivers it again. A bug: the update is kept in `failed_updates` and the
        person gets an apology (with `apologise`; a replay only reports).
        """
        refusal: UserError | None = None
        races = transients = 0
        while True:
            try:
                handled = await self._handle_once(inbound, refusal)
            except _Redo as redo:
                refusal = redo.refusal  # the turn changed things before refusing: undone, answered
            except (Stale, transactions.Conflict) as exc:
                races += 1
                log.info("update %s:%s raced (%s), attempt %d", inbound.chat.channel,
                         inbound.update_id, type(exc).__name__, races)
                if races > RACE_ATTEMPTS:
                    return await self._failed(inbound, exc, apologise=apologise)
            except Exception as exc:
                if not transactions.is_transient(exc):
                    return await self._failed(inbound, exc, apologise=apologise)
                transients += 1
                await self._wait_or_give_up(inbound, exc, transients)
            else:
                key = (inbound.chat.channel, inbound.update_id)
                if handled.duplicate and (transients or key in self._unanswered):
                    # A try that failed may have committed after all (its COMMIT's answer was
                    # lost): its replies are this worker's, never handed to the sender.
                    self._unanswered.pop(key, None)
                    handled = await self._held_after_lost_commit(inbound) or handled
                self.metrics.update(inbound.chat.channel,
                                    "duplicate" if handled.duplicate else "handled")
                return handled

    async def _held_after_lost_commit(self, inbound: Inbound) -> Handled | None:
        async with transactions.unit_of_work(self.sessions) as session:
            held = await outgoing.held_replies(session, channel=inbound.chat.channel,
                                               update_id=inbound.update_id, worker=self.worker)
        if not held:
            return None
        log.info("update %s:%s was committed by a try whose answer was lost; its %d replies "
                 "leave now", inbound.chat.channel, inbound.update_id, len(held))
        return Handled(held=held)

    async def _wait_or_give_up(self, inbound: Inbound, exc: Exception, tries: int) -> None:
        if tries >= TRANSIENT_ATTEMPTS:
            self.metrics.update(inbound.chat.channel, "deferred")
            # One of the tries may have committed unanswered: its redelivery, here, sends them.
            self._unanswered[(inbound.chat.channel, inbound.update_id)] = None
            while len(self._unanswered) > UNANSWERED_KEPT:
                self._unanswered.pop(next(iter(self._unanswered)))
            log.warning("update %s:%s not handled: database unavailable (%s); the platform "
                        "will deliver it again", inbound.chat.channel, inbound.update_id,
                        type(exc).__name__)
            raise Unavailable(str(type(exc).__name__)) from exc
        log.info("update %s:%s: database busy or reconnecting (%s), try %d", inbound.chat.channel,
                 inbound.update_id, type(exc).__name__, tries)
        if transactions.is_disconnect(exc):
            await transactions.forget_connections(self.engine)  # they all went with the server
        await asyncio.sleep(backoff.delay(tries, base=TRANSIENT_BACKOFF, cap=2.0))

    async def chat_changed(self, change: ChatChange) -> None:
        """Record that the bot joined, left or was blocked in a chat, or that a group moved.

        Claimed like any update, so a redelivered change is applied once.
        """
        async with transactions.begin_work(self.engine) as work:
            probe = Inbound(chat=change.chat, user_id="", update_id=change.update_id)
            if not await updates.claim(work, probe, at=self.clock.now()):
                return
            session = work.session
            if change.moved_to is not None:
                await chat_service.migrate(session, channel=change.chat.channel,
                                           old_chat_id=change.chat.chat_id,
                                           new_chat_id=change.moved_to)
            elif change.present:
                await chat_service.mark_reachable(session, change.chat, title=change.title)
            else:
                await chat_service.mark_unreachable(session, change.chat, title=change.title)

    async def _handle_once(self, inbound: Inbound, refusal: UserError | None) -> Handled:
        async with transactions.begin_work(self.engine) as work:
            writer = await updates.open_update(work, inbound, now=self.clock.now())
            if writer is None:
                log.info("duplicate update %s:%s dropped", inbound.chat.channel, inbound.update_id)
                return Handled(duplicate=True)
            turn = Turn(work, inbound, self.settings, self.clock, self.renderer,
                        identity=writer.identity, member=writer.member, state=writer.state,
                        exports=self.exports, signin=self.signin)
            if refusal is not None:
                await self.dispatcher.refuse(turn, refusal)
            else:
                await self._guarded(turn)
            return await self._queue(turn)

    async def _guarded(self, turn: Turn) -> None:
        """Dispatch; a refusal is answered here unless the turn already wrote something."""
        before = turn.work.writes
        try:
            await self.dispatcher.dispatch(turn)
        except UserError as refusal:
            if turn.work.writes != before or turn.work.pending:
                raise _Redo(refusal) from None
            turn.replies.clear()
            await self.dispatcher.refuse(turn, refusal)

    async def _failed(self, inbound: Inbound, exc: BaseException, *, apologise: bool) -> Handled:
        """Keep the update for operators and tell the person, in one transaction."""
        log.error("update %s:%s failed in chat %s", inbound.chat.channel, inbound.update_id,
                  inbound.chat.chat_id, exc_info=exc)
        self.metrics.update(inbound.chat.channel, "failed")
        if not apologise:
            return Handled(failed=True)
        try:
            async with transactions.begin_work(self.engine) as work:
                if not await updates.claim(work, inbound, at=self.clock.now()):
                    return Handled(duplicate=True)
                await failed_updates.record(work.session, inbound, error=_describe(exc),
                                            now=self.clock.now())
                turn = Turn(work, inbound, self.settings, self.clock, self.renderer)
                turn.reply("errors/unexpected")
                handled = await self._queue(turn)
        except Exception as again:
            if transactions.is_transient(again):
                raise Unavailable(type(again).__name__) from again
            raise
        return Handled(handled.held, handled.queued, failed=True)

    async def _queue(self, turn: Turn) -> Handled:
        inbound = turn.inbound
        rows = [self._row(turn, reply.chat or inbound.chat, reply,
                          reply.dedup_key or f"reply:{inbound.chat.channel}:{inbound.update_id}:{n}")
                for n, reply in enumerate(turn.replies)]
        held, queued = await outgoing.queue_replies(turn.work, rows, worker=self.worker,
                                                    at_once=self.at_once, room=self.room,
                                                    now=self.clock.now())
        return Handled(held, queued)

    def _row(self, turn: Turn, chat: Any, reply: Any, key: str) -> dict[str, Any]:
        limits = self.limits.get(chat.channel)
        markup = limits.markup if limits else "plain"
        body = self.renderer.render(reply.template, markup=markup, **reply.data)
        if reply.choices:
            body += "\n" + self.renderer.choices(tuple(reply.choices), markup)
        member_id = reply.member_id or (
            turn.member.id if turn.member and reply.chat is None and not chat.is_group else None)
        return outgoing.reply_row(chat, text=body, choices=reply.choices, dedup_key=key,
                                member_id=member_id, now=self.clock.now(),
                                attachment=reply.attachment or self._contact_request(reply, limits))

    def _contact_request(self, reply: Any, limits: ChannelLimits | None) -> dict[str, Any] | None:
        """Ask the channel for a "share my phone" button, where it has one."""
        if not (reply.ask_contact and limits and limits.contact_button):
            return None
        return {"type": "request_contact", "label": self.renderer.render("common/share_contact")}


def _no_room(chat: ChatRef) -> bool:
    return False


def _describe(exc: BaseException) -> str:
    """The error's type, message and where it happened (for operators; never shown to people)."""
    return "".join(traceback.format_exception(exc, limit=-8))


class _Redo(Exception):
    """A refusal came after the turn wrote something: roll the turn back, then answer it."""

    def __init__(self, refusal: UserError) -> None:
        super().__init__(refusal.template)
        self.refusal = refusal

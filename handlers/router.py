"""The router: one update = one transaction, from claiming its id to queueing its replies."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from handlers import menu
from handlers.clock import Clock
from handlers.commands import COMMANDS, FILE_COMMAND, Command, ParsedCommand, Where, parse, verify
from handlers.dialogs import DIALOGS, engine
from handlers.errors import UserError
from handlers.exports.links import Exports
from handlers.intents import match_intent
from handlers.metrics import Metrics
from handlers.parsing import parse_choice
from handlers.roles import allows, roles_from
from handlers.services.web_access import SignInPolicy
from handlers.settings import ProgrammeSettings
from handlers.textnorm import clean
from handlers.texts import Renderer
from handlers.turn import Reply, Turn
from handlers.types import ChannelLimits, Inbound, InboundKind
from storage.db import unit_of_work
from storage.models import DialogState, DialogStatus, OutboxStatus, Priority
from storage.repositories import dialogs as dialog_repo
from storage.repositories import identities, updates
from storage.repositories import outbox as outbox_repo

log = logging.getLogger(__name__)

OFFER_CONTINUE, OFFER_OTHER = 0, 1


class Router:
    """Turns each Inbound into state changes and queued replies, exactly once."""

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], renderer: Renderer,
                 settings: ProgrammeSettings, clock: Clock,
                 limits: Mapping[str, ChannelLimits] | None = None,
                 exports: Exports | None = None, signin: SignInPolicy | None = None,
                 metrics: Metrics | None = None) -> None:
        self.sessions = sessions
        self.renderer = renderer
        self.settings = settings
        self.clock = clock
        self.limits = dict(limits or {})
        self.bot_names: dict[str, set[str]] = {}
        self.exports = exports
        self.signin = signin
        self.metrics = metrics or Metrics()

    async def handle(self, inbound: Inbound) -> list[int]:
        """Handle one update; return the ids of the outbox rows it queued (empty if a duplicate)."""
        for attempt in (1, 2):
            try:
                ids = await self._handle_once(inbound)
            except (StaleDataError, IntegrityError) as exc:
                # Another worker changed the same dialog between our read and our write.
                log.info("update %s:%s raced (%s), attempt %d", inbound.chat.channel,
                         inbound.update_id, type(exc).__name__, attempt)
            except Exception:
                log.exception("update %s:%s failed in chat %s", inbound.chat.channel,
                              inbound.update_id, inbound.chat.chat_id)
                break
            else:
                self.metrics.update(inbound.chat.channel, "duplicate" if ids is None else "handled")
                return ids or []
        self.metrics.update(inbound.chat.channel, "failed")
        return await self._apologise(inbound)

    async def _handle_once(self, inbound: Inbound) -> list[int] | None:
        async with unit_of_work(self.sessions) as session:
            if not await updates.claim(session, channel=inbound.chat.channel,
                                       update_id=inbound.update_id, at=self.clock.now()):
                log.info("duplicate update %s:%s dropped", inbound.chat.channel, inbound.update_id)
                return None
            turn = await self._turn(session, inbound)
            await self._dispatch(turn)
            return await self._queue(turn)

    async def _apologise(self, inbound: Inbound) -> list[int]:
        async with unit_of_work(self.sessions) as session:
            if not await updates.claim(session, channel=inbound.chat.channel,
                                       update_id=inbound.update_id, at=self.clock.now()):
                return []
            turn = Turn(session, inbound, self.settings, self.clock, self.renderer)
            turn.reply("errors/unexpected")
            return await self._queue(turn)

    async def _turn(self, session: AsyncSession, inbound: Inbound) -> Turn:
        turn = Turn(session, inbound, self.settings, self.clock, self.renderer,
                    exports=self.exports, signin=self.signin)
        found = await identities.get_with_member(session, channel=inbound.chat.channel,
                                                 user_id=inbound.user_id)
        if found:
            turn.identity, turn.member = found
        return turn

    async def _dispatch(self, turn: Turn) -> None:
        state = await dialog_repo.get_active(turn.session, turn.state_key, now=self.clock.now())
        if turn.inbound.kind != InboundKind.TEXT:
            await self._non_text(turn, state)
            return
        text = clean(turn.inbound.text, multiline=True)
        command = parse(text)
        if command is not None:
            await self._command(turn, state, command)
        elif state is not None and state.dialog == menu.MENU:
            await self._menu_pick(turn, state, text)
        elif state is not None and state.pending:
            await self._answer_offer(turn, state, text)
        elif state is not None:
            await engine.advance(turn, state, DIALOGS[state.dialog], text)
        else:
            await self._free_text(turn, text)

    async def _non_text(self, turn: Turn, state: DialogState | None) -> None:
        outside = state is None or state.dialog == menu.MENU
        if turn.inbound.kind == InboundKind.FILE and outside and not turn.inbound.chat.is_group:
            await self._file(turn)
            return
        dialog = DIALOGS.get(state.dialog) if state else None
        if state and dialog and turn.inbound.kind in dialog.accepts.get(state.step, ()):
            await engine.advance(turn, state, dialog, turn.inbound.text)
            return
        turn.reply("errors/not_text", kind=turn.inbound.kind.value)
        if state and dialog:
            await self._reprompt(turn, state, dialog)

    async def _file(self, turn: Turn) -> None:
        """A file in a private chat outside a dialog: a roster for staff, a polite no for others."""
        command = COMMANDS[FILE_COMMAND]
        if self._refusal(turn, command) is not None:
            turn.reply("rosters/file_not_allowed")
            return
        await self._run(turn, None, command, "")

    async def _command(self, turn: Turn, state: DialogState | None, parsed: ParsedCommand) -> None:
        if not self._addressed_to_us(turn, parsed):
            return
        command = COMMANDS.get(parsed.name)
        dialog = DIALOGS.get(state.dialog) if state and state.dialog != menu.MENU else None
        if command is None:
            turn.reply("errors/unknown_command", name=parsed.name)
        elif command.name == "huy":
            await self._cancel(turn, state, dialog)
            return
        elif command.name == "trogiup" and state is not None and dialog is not None:
            turn.reply(dialog.help_template(state.step))
        elif refusal := self._refusal(turn, command):
            turn.reply(refusal[0], **refusal[1])
        else:
            await self._run(turn, state if dialog else None, command, parsed.args)
            return
        if state is not None and dialog is not None:
            await self._reprompt(turn, state, dialog)

    def _addressed_to_us(self, turn: Turn, parsed: ParsedCommand) -> bool:
        names = self.bot_names.get(turn.inbound.chat.channel)
        return parsed.addressee is None or not names or parsed.addressee.lower() in names

    def _refusal(self, turn: Turn, command: Command) -> tuple[str, dict[str, Any]] | None:
        role = turn.member.role if turn.member else None
        if command.minimum is not None and turn.member is None:
            return "errors/need_start", {}
        if not allows(role, command.minimum):
            assert command.minimum is not None
            return "errors/not_allowed", {"name": command.name,
                                          "roles": roles_from(command.minimum)}
        if command.where == Where.GROUP and not turn.inbound.chat.is_group:
            return "errors/group_only", {"name": command.name}
        if command.where == Where.DM and turn.inbound.chat.is_group:
            return "errors/dm_only", {"name": command.name}
        return None

    async def _run(self, turn: Turn, state: DialogState | None, command: Command, args: str) -> None:
        try:
            async with turn.session.begin_nested():
                await self._run_unguarded(turn, state, command, args)
        except UserError as refusal:
            turn.reply(refusal.template, **refusal.data)
            if state is not None and state.dialog in DIALOGS:
                await turn.session.refresh(state)  # the savepoint's rollback expired it
                await self._reprompt(turn, state, DIALOGS[state.dialog])

    async def _run_unguarded(self, turn: Turn, state: DialogState | None, command: Command,
                             args: str) -> None:
        if command.dialog is None:
            await self._drop_menu(turn)
            assert command.run is not None
            await command.run(turn, args)
            if state is not None:
                await self._reprompt(turn, state, DIALOGS[state.dialog])
            return
        if state is not None:
            state.pending = {"offer": "conflict", "dialog": command.dialog, "args": args}
            await self._reprompt(turn, state, DIALOGS[state.dialog])
            return
        await self._drop_menu(turn)
        await self._start_or_offer_resume(turn, command.dialog, args)

    async def _start_or_offer_resume(self, turn: Turn, name: str, args: str) -> None:
        kept = await dialog_repo.get(turn.session, turn.state_key, name)
        if kept is None or kept.step == DIALOGS[name].first_step:
            await engine.start(turn, DIALOGS[name], args)
            return
        kept.status = DialogStatus.ACTIVE
        kept.pending = {"offer": "resume", "dialog": name, "args": args}
        kept.expires_at = self.clock.now() + timedelta(days=self.settings.draft_ttl_days)
        await turn.session.flush()
        await self._reprompt(turn, kept, DIALOGS[name])

    async def _answer_offer(self, turn: Turn, state: DialogState, text: str) -> None:
        offer = dict(state.pending or {})
        try:
            choice = parse_choice(text, self._offer_labels(turn, state))
        except UserError as refusal:
            turn.reply(refusal.template, **refusal.data)
            await self._reprompt(turn, state, DIALOGS[state.dialog])
            return
        state.pending = None
        if choice == OFFER_CONTINUE:
            await engine.reprompt(turn, state, DIALOGS[state.dialog])
            return
        try:
            async with turn.session.begin_nested():
                if offer["dialog"] == state.dialog:
                    await engine.start(turn, DIALOGS[state.dialog], offer.get("args", ""))
                    return
                await engine.cancel(turn, state, announce=False)
                await self._start_or_offer_resume(turn, offer["dialog"], offer.get("args", ""))
        except UserError as refusal:
            turn.reply(refusal.template, **refusal.data)

    def _offer_labels(self, turn: Turn, state: DialogState) -> tuple[str, ...]:
        offer = state.pending or {}
        return turn.labels(f"dialog/{offer['offer']}_choices",
                           same=offer["dialog"] == state.dialog)

    async def _cancel(self, turn: Turn, state: DialogState | None, dialog: Any) -> None:
        if state is None or dialog is None:
            turn.reply("dialog/nothing_to_cancel")
            return
        await engine.cancel(turn, state)

    async def _reprompt(self, turn: Turn, state: DialogState, dialog: Any) -> None:
        if state.pending:
            offer = state.pending
            turn.reply(f"dialog/{offer['offer']}_offer", current=state.dialog,
                       wanted=offer["dialog"], choices=self._offer_labels(turn, state))
            return
        await engine.reprompt(turn, state, dialog)

    async def _menu_pick(self, turn: Turn, state: DialogState, text: str) -> None:
        name = menu.pick(turn, state, text)
        if name is None:
            await self._free_text(turn, text)
            return
        await self._command(turn, None, ParsedCommand(name, None, ""))

    async def _free_text(self, turn: Turn, text: str) -> None:
        unverified = turn.identity is not None and not turn.identity.verified
        if (turn.member is None or unverified) and verify.looks_like_code(text):
            await verify.redeem(turn, text)
            return
        if turn.member is None:
            await self._command(turn, None, ParsedCommand("start", None, ""))
            return
        intent = match_intent(text)
        if intent is not None:
            await self._command(turn, None, ParsedCommand(intent, None, ""))
            return
        await menu.show(turn)

    async def _drop_menu(self, turn: Turn) -> None:
        shown = await dialog_repo.get(turn.session, turn.state_key, menu.MENU)
        if shown is not None:
            await dialog_repo.remove(turn.session, shown)

    async def _queue(self, turn: Turn) -> list[int]:
        ids: list[int] = []
        inbound = turn.inbound
        for index, reply in enumerate(turn.replies):
            chat = reply.chat or inbound.chat
            key = reply.dedup_key or f"reply:{inbound.chat.channel}:{inbound.update_id}:{index}"
            new_id = await outbox_repo.add(turn.session, self._row(turn, reply, chat, key))
            if new_id is not None:
                ids.append(new_id)
        return ids

    def _row(self, turn: Turn, reply: Reply, chat: Any, key: str) -> dict[str, Any]:
        limits = self.limits.get(chat.channel)
        markup = limits.markup if limits else "plain"
        body = self.renderer.render(reply.template, markup=markup, **reply.data)
        if reply.choices:
            body += "\n" + self.renderer.render("common/choices", markup=markup,
                                                  choices=reply.choices)
        now = self.clock.now()
        return {"channel": chat.channel, "chat_id": chat.chat_id, "is_group": chat.is_group,
                "member_id": reply.member_id or (
                    turn.member.id if turn.member and reply.chat is None and not chat.is_group
                    else None),
                "text": body, "choices": list(reply.choices), "dedup_key": key,
                "attachment": reply.attachment or self._contact_request(reply, limits),
                "priority": Priority.REPLY, "not_before": now, "created_at": now,
                "status": OutboxStatus.PENDING, "attempts": 0}

    def _contact_request(self, reply: Reply, limits: ChannelLimits | None) -> dict[str, Any] | None:
        """Ask the channel for a "share my phone" button, where it has one."""
        if not (reply.ask_contact and limits and limits.contact_button):
            return None
        return {"type": "request_contact", "label": self.renderer.render("common/share_contact")}


"""What a turn means: a command, an answer in a dialog, a menu pick, free text, a file.

Channel-agnostic and without transactions: the router opens the update's unit of work, calls
`Dispatcher.dispatch` (or `refuse`), then queues the replies the turn collected.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers import linking, menu
from handlers.command_table import COMMANDS, FILE_COMMAND, Command, ParsedCommand, Where, parse
from handlers.commands.actions import ACTIONS
from handlers.dialogs import DIALOGS, engine
from handlers.errors import UserError
from handlers.intents import match_intent
from handlers.parsing import parse_choice
from handlers.services import conversations
from handlers.services.conversations import MENU, Conversation
from handlers.services.roles import allows, roles_from
from handlers.textnorm import clean
from handlers.turn import Turn
from handlers.types import InboundKind

OFFER_CONTINUE, OFFER_OTHER = 0, 1


class Dispatcher:
    """Turns one update's text (or file, photo…) into the turn's changes and replies."""

    def __init__(self) -> None:
        self.bot_names: dict[str, set[str]] = {}
        """Each channel's bot usernames: a command addressed to another bot (`/start@other`) is not ours."""

    async def refuse(self, turn: Turn, refusal: UserError) -> None:
        """Answer a refusal, then ask again whatever the person was being asked.

        A dialog whose opening argument was refused (`/rut SK-999999`) never started: the
        refusal alone is the answer, and no question is left waiting.
        """
        state = turn.state
        if state is not None and state.id is None:
            turn.state = state = None
        if state is not None and state.pending:
            turn.reply(refusal.template, **refusal.data)
            await self._reprompt(turn, state)
        elif state is not None and state.dialog in DIALOGS:
            await engine.refuse(turn, state, DIALOGS[state.dialog], refusal)
        else:
            turn.reply(refusal.template, **refusal.data)

    async def dispatch(self, turn: Turn) -> None:
        """Handle what the person sent, as their dialog, the menu or a command makes of it."""
        state = turn.state
        if turn.inbound.kind != InboundKind.TEXT:
            await self._non_text(turn, state)
            return
        text = clean(turn.inbound.text, multiline=True)
        command = parse(text)
        if command is not None:
            await self._command(turn, command)
        elif state is not None and state.dialog == MENU:
            await self._menu_pick(turn, state, text)
        elif state is not None and state.pending:
            await self._answer_offer(turn, state, text)
        elif state is not None:
            await engine.advance(turn, state, DIALOGS[state.dialog], text)
        else:
            await self._free_text(turn, text)

    async def _non_text(self, turn: Turn, state: Conversation | None) -> None:
        outside = state is None or state.dialog == MENU
        if turn.inbound.kind == InboundKind.FILE and outside and not turn.inbound.chat.is_group:
            await self._file(turn)
            return
        dialog = DIALOGS.get(state.dialog) if state else None
        if state and dialog and turn.inbound.kind in dialog.accepts.get(state.step, ()):
            await engine.advance(turn, state, dialog, turn.inbound.text)
            return
        turn.reply("errors/not_text", kind=turn.inbound.kind.value)
        if state and dialog:
            await self._reprompt(turn, state)

    async def _file(self, turn: Turn) -> None:
        """A file in a private chat outside a dialog: a roster for staff, a polite no for others."""
        command = COMMANDS[FILE_COMMAND]
        if self._refusal(turn, command) is not None:
            turn.reply("rosters/file_not_allowed")
            return
        await self._run(turn, command, "")

    async def _command(self, turn: Turn, parsed: ParsedCommand) -> None:
        if not self._addressed_to_us(turn, parsed):
            return
        command = COMMANDS.get(parsed.name)
        state = turn.state if turn.state is not None and turn.state.dialog in DIALOGS else None
        if command is None:
            turn.reply("errors/unknown_command", name=parsed.name)
        elif command.name == "huy":
            await self._cancel(turn, state)
            return
        elif command.name == "trogiup" and state is not None:
            turn.reply(DIALOGS[state.dialog].help_template(state.step))
        elif refusal := self._refusal(turn, command):
            turn.reply(refusal[0], **refusal[1])
        else:
            await self._run(turn, command, parsed.args)
            return
        if state is not None:
            await self._reprompt(turn, state)

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

    async def _run(self, turn: Turn, command: Command, args: str) -> None:
        state = turn.state if turn.state is not None and turn.state.dialog in DIALOGS else None
        if command.dialog is None:
            await menu.drop(turn)
            await ACTIONS[command.name](turn, args)
            if state is not None and turn.state is state:
                await self._reprompt(turn, state)
            return
        if state is not None:
            state.pending = {"offer": "conflict", "dialog": command.dialog, "args": args}
            await conversations.save(turn.work, state)
            await self._reprompt(turn, state)
            return
        await menu.drop(turn)
        await self._start_or_offer_resume(turn, command.dialog, args)

    async def _start_or_offer_resume(self, turn: Turn, name: str, args: str) -> None:
        kept = await conversations.kept(turn.work, turn.state_key, name)
        if kept is None or kept.step == DIALOGS[name].first_step:
            await engine.start(turn, DIALOGS[name], args)
            return
        kept.status = conversations.ACTIVE
        kept.pending = {"offer": "resume", "dialog": name, "args": args}
        kept.expires_at = turn.clock.now() + timedelta(days=turn.settings.draft_ttl_days)
        await conversations.save(turn.work, kept)
        turn.state = kept
        await self._reprompt(turn, kept)

    async def _answer_offer(self, turn: Turn, state: Conversation, text: str) -> None:
        offer = dict(state.pending or {})
        choice = parse_choice(text, self._offer_labels(turn, state))
        state.pending = None
        if choice == OFFER_CONTINUE:
            await conversations.save(turn.work, state)
            await engine.reprompt(turn, state, DIALOGS[state.dialog])
        elif offer["dialog"] == state.dialog:
            await engine.start(turn, DIALOGS[state.dialog], offer.get("args", ""))
        else:
            await engine.cancel(turn, state, announce=False)
            await self._start_or_offer_resume(turn, offer["dialog"], offer.get("args", ""))

    def _offer_labels(self, turn: Turn, state: Conversation) -> tuple[str, ...]:
        offer = state.pending or {}
        return turn.labels(f"dialog/{offer['offer']}_choices",
                           same=offer["dialog"] == state.dialog)

    async def _cancel(self, turn: Turn, state: Conversation | None) -> None:
        if state is None:
            turn.reply("dialog/nothing_to_cancel")
            return
        await engine.cancel(turn, state)

    async def _reprompt(self, turn: Turn, state: Conversation) -> None:
        if state.pending:
            offer = state.pending
            turn.reply(f"dialog/{offer['offer']}_offer", current=state.dialog,
                       wanted=offer["dialog"], choices=self._offer_labels(turn, state))
            return
        await engine.reprompt(turn, state, DIALOGS[state.dialog])

    async def _menu_pick(self, turn: Turn, state: Conversation, text: str) -> None:
        name = menu.pick(turn, state, text)
        if name is None:
            await self._free_text(turn, text)
            return
        await self._command(turn, ParsedCommand(name, None, ""))

    async def _free_text(self, turn: Turn, text: str) -> None:
        unverified = turn.identity is not None and not turn.identity.verified
        if (turn.member is None or unverified) and linking.looks_like_code(text):
            await linking.redeem(turn, text)
            return
        if turn.member is None:
            await self._command(turn, ParsedCommand("start", None, ""))
            return
        intent = match_intent(text)
        if intent is not None:
            await self._command(turn, ParsedCommand(intent, None, ""))
            return
        await menu.show(turn)

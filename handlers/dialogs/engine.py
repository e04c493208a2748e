"""The dialog engine: steps as functions; state and draft kept by the conversations service."""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from handlers.errors import UserError
from handlers.services import conversations
from handlers.services.conversations import Conversation
from handlers.turn import Turn
from handlers.types import InboundKind

log = logging.getLogger(__name__)

D = TypeVar("D")
CANCELLED = "__cancelled__"
"""A step may return this to cancel the dialog (its draft is kept), or None to end it."""

StepHandler = Callable[[Turn, Any, str], Awaitable[str | None]]
Prompt = Callable[[Turn, Any, str], Awaitable[None]]
Starter = Callable[[Turn, Any], Awaitable[None]]


@dataclass(frozen=True)
class Dialog(Generic[D]):
    """A dialog: its draft type, first step, one handler and one prompt per step."""

    name: str
    draft_type: type[D]
    first_step: str
    handlers: Mapping[str, StepHandler]
    prompt: Prompt
    on_start: Starter | None = None
    accepts: Mapping[str, frozenset[InboundKind]] = dataclasses.field(default_factory=dict)
    area: str = ""
    """The templates folder of this dialog (defaults to its name)."""

    def help_template(self, step: str) -> str:
        """Return the template that explains a step (/trogiup inside the dialog)."""
        return f"{self.area or self.name}/help_{step}"

    def load(self, data: dict[str, Any]) -> D:
        """Rebuild a draft from JSON, ignoring keys it no longer has.

        Lists and mappings are copied: one shared with the stored draft and changed in place
        would make the new draft compare equal to the stored one, and it would not be written.
        Text and numbers need no copy.
        """
        names = _field_names(self.draft_type)
        return self.draft_type(**{k: copy.deepcopy(v) if isinstance(v, list | dict) else v
                                  for k, v in data.items() if k in names})

    def dump(self, draft: D) -> dict[str, Any]:
        """Turn a draft into JSON-ready values (the draft is not used after this)."""
        return {name: getattr(draft, name) for name in _field_names(type(draft))}


@functools.cache
def _field_names(draft_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(draft_type))


async def start(turn: Turn, dialog: Dialog[Any], args: str = "", *, draft: Any = None,
                step: str | None = None) -> None:
    """Start `dialog` for this person (reusing a kept draft's row), ask its first step or take `args`.

    A prepared `draft` and `step` start it further in (editing an initiative starts at the summary).
    """
    draft = dialog.draft_type() if draft is None else draft
    if dialog.on_start is not None:
        await dialog.on_start(turn, draft)
    state = await _row_for(turn, dialog)
    _touch(turn, state, step=step or dialog.first_step, draft=dialog.dump(draft))
    state.status, state.pending = conversations.ACTIVE, None
    turn.state = state
    if args:
        await advance(turn, state, dialog, args)
        return
    await conversations.save(turn.work, state)
    await dialog.prompt(turn, draft, state.step)


async def _row_for(turn: Turn, dialog: Dialog[Any]) -> Conversation:
    """Return this person's row of `dialog` (in hand, kept, or new): one row per dialog and key."""
    current = turn.state
    if current is not None and current.key == turn.state_key and current.dialog == dialog.name:
        return current
    kept = await conversations.kept(turn.work, turn.state_key, dialog.name)
    if kept is not None:
        return kept
    return conversations.begin(turn.state_key, dialog.name, step=dialog.first_step,
                               chat=turn.inbound.chat, user_id=turn.inbound.user_id,
                               member_id=turn.member.id if turn.member else None,
                               now=turn.clock.now(), ttl=_ttl(turn))


async def advance(turn: Turn, state: Conversation, dialog: Dialog[Any], text: str) -> None:
    """Run the current step on `text`; its UserError reaches the router, which answers it."""
    if state.step not in dialog.handlers:
        # A step this version no longer has (renamed by a deploy): start over, keeping the draft.
        log.warning("%s: unknown step %r, back to %r", dialog.name, state.step, dialog.first_step)
        state.step = dialog.first_step
    draft = dialog.load(state.draft)
    next_step = await dialog.handlers[state.step](turn, draft, text)
    await _after_step(turn, state, dialog, draft, next_step)


async def _after_step(turn: Turn, state: Conversation, dialog: Dialog[Any], draft: Any,
                      next_step: str | None) -> None:
    if next_step is None:
        await conversations.remove(turn.work, state)
        turn.state = None
        if turn.next_dialog is not None:
            follow, follow_draft = turn.next_dialog
            turn.next_dialog = None
            await start(turn, follow, draft=follow_draft)
        return
    if next_step == CANCELLED:
        state.draft = dialog.dump(draft)
        await cancel(turn, state, announce=False)
        return
    _touch(turn, state, step=next_step, draft=dialog.dump(draft))
    await conversations.save(turn.work, state)
    await dialog.prompt(turn, draft, next_step)


async def reprompt(turn: Turn, state: Conversation, dialog: Dialog[Any]) -> None:
    """Ask the current step's question again."""
    if state.step not in dialog.handlers:
        state.step = dialog.first_step
    await dialog.prompt(turn, dialog.load(state.draft), state.step)


async def refuse(turn: Turn, state: Conversation, dialog: Dialog[Any], refusal: UserError) -> None:
    """Answer a refused step with the reason, then ask the same question again (nothing changed)."""
    log.debug("%s/%s refused: %s", dialog.name, state.step, refusal.template)
    turn.reply(refusal.template, **refusal.data)
    await reprompt(turn, state, dialog)


async def cancel(turn: Turn, state: Conversation, *, announce: bool = True) -> None:
    """Cancel a dialog; its draft is kept for `draft_ttl_days` so it can be resumed."""
    state.status, state.pending = conversations.CANCELLED, None
    state.expires_at = turn.clock.now() + _ttl(turn)
    await conversations.save(turn.work, state)
    if turn.state is state:
        turn.state = None
    if announce:
        turn.reply("dialog/cancelled", days=turn.settings.draft_ttl_days, dialog=state.dialog)


def _ttl(turn: Turn) -> timedelta:
    return timedelta(days=turn.settings.draft_ttl_days)


def _touch(turn: Turn, state: Conversation, *, step: str, draft: dict[str, Any]) -> None:
    state.step, state.draft = step, draft
    state.place(turn.inbound.chat, turn.inbound.user_id, turn.member.id if turn.member else None)
    state.extend(turn.clock.now(), _ttl(turn))

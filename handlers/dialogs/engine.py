"""The dialog engine: steps as functions, state and draft in `dialog_states`, never in memory."""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from handlers.errors import UserError
from handlers.turn import Turn
from handlers.types import InboundKind
from storage.models import DialogState, DialogStatus
from storage.repositories import dialogs as dialog_repo

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

        The values are copied: a list shared with the stored JSON, changed in place, would compare
        equal to the stored value and SQLAlchemy would not write it.
        """
        names = {f.name for f in dataclasses.fields(self.draft_type)}  # type: ignore[arg-type]
        return self.draft_type(**copy.deepcopy({k: v for k, v in data.items() if k in names}))

    def dump(self, draft: D) -> dict[str, Any]:
        """Turn a draft into JSON."""
        return dataclasses.asdict(draft)  # type: ignore[call-overload]


async def start(turn: Turn, dialog: Dialog[Any], args: str = "", *, draft: Any = None,
                step: str | None = None) -> None:
    """Start `dialog` for this person (reusing a kept row), ask its first step or take `args`.

    A prepared `draft` and `step` start it further in (editing an initiative starts at the summary).
    """
    now = turn.clock.now()
    state = await dialog_repo.get(turn.session, turn.state_key, dialog.name)
    draft = dialog.draft_type() if draft is None else draft
    if state is None:
        state = DialogState(key=turn.state_key, dialog=dialog.name, draft={}, expires_at=now)
        turn.session.add(state)
    _touch(turn, state, step=step or dialog.first_step, draft=dialog.dump(draft))
    state.status = DialogStatus.ACTIVE
    state.pending = None
    await turn.session.flush()
    if dialog.on_start is not None:
        await dialog.on_start(turn, draft)
        state.draft = dialog.dump(draft)
    if args:
        await advance(turn, state, dialog, args)
    else:
        await dialog.prompt(turn, draft, state.step)


async def advance(turn: Turn, state: DialogState, dialog: Dialog[Any], text: str) -> None:
    """Run the current step on `text` in a savepoint; a UserError leaves the state untouched."""
    if state.step not in dialog.handlers:
        # A step this version no longer has (renamed by a deploy): start over, keeping the draft.
        log.warning("%s: unknown step %r, back to %r", dialog.name, state.step, dialog.first_step)
        state.step = dialog.first_step
    draft = dialog.load(state.draft)
    handler = dialog.handlers[state.step]
    try:
        async with turn.session.begin_nested():
            next_step = await handler(turn, draft, text)
    except UserError as refusal:
        log.debug("%s/%s refused: %s", dialog.name, state.step, refusal.template)
        turn.reply(refusal.template, **refusal.data)
        await dialog.prompt(turn, dialog.load(state.draft), state.step)
        return
    await _after_step(turn, state, dialog, draft, next_step)


async def _after_step(turn: Turn, state: DialogState, dialog: Dialog[Any], draft: Any,
                      next_step: str | None) -> None:
    if next_step is None:
        await dialog_repo.remove(turn.session, state)
        if turn.next_dialog is not None:
            follow, follow_draft = turn.next_dialog
            turn.next_dialog = None
            await start(turn, follow, draft=follow_draft)
        return
    if next_step == CANCELLED:
        await cancel(turn, state, announce=False)
        state.draft = dialog.dump(draft)
        return
    _touch(turn, state, step=next_step, draft=dialog.dump(draft))
    await turn.session.flush()
    await dialog.prompt(turn, draft, next_step)


async def reprompt(turn: Turn, state: DialogState, dialog: Dialog[Any]) -> None:
    """Ask the current step's question again."""
    if state.step not in dialog.handlers:
        state.step = dialog.first_step
    await dialog.prompt(turn, dialog.load(state.draft), state.step)


async def cancel(turn: Turn, state: DialogState, *, announce: bool = True) -> None:
    """Cancel a dialog; its draft is kept for `draft_ttl_days` so it can be resumed."""
    state.status = DialogStatus.CANCELLED
    state.pending = None
    state.expires_at = turn.clock.now() + timedelta(days=turn.settings.draft_ttl_days)
    await turn.session.flush()
    if announce:
        turn.reply("dialog/cancelled", days=turn.settings.draft_ttl_days, dialog=state.dialog)


def _touch(turn: Turn, state: DialogState, *, step: str, draft: dict[str, Any]) -> None:
    now = turn.clock.now()
    chat = turn.inbound.chat
    state.step = step
    state.draft = draft
    state.channel, state.chat_id, state.user_id = chat.channel, chat.chat_id, turn.inbound.user_id
    state.member_id = turn.member.id if turn.member else None
    state.updated_at = now
    state.expires_at = now + timedelta(days=turn.settings.draft_ttl_days)

"""The numbered menu of what a person may do; typing a number picks from it."""

from __future__ import annotations

from datetime import timedelta

from handlers.commands import for_role
from handlers.errors import UserError
from handlers.parsing import parse_choice
from handlers.turn import Turn
from storage.models import DialogState, DialogStatus
from storage.repositories import dialogs as dialog_repo

MENU = "menu"
MENU_TTL = timedelta(days=1)


async def show(turn: Turn, template: str = "common/menu") -> None:
    """Reply with the person's menu and remember it, so that a number picks an entry."""
    role = turn.member.role if turn.member else None
    names = [c.name for c in for_role(role)]
    labels = tuple(turn.renderer.render(f"commands/{name}") for name in names)
    state = await dialog_repo.get(turn.session, turn.state_key, MENU)
    now = turn.clock.now()
    if state is None:
        state = DialogState(key=turn.state_key, dialog=MENU, draft={}, expires_at=now)
        turn.session.add(state)
    chat = turn.inbound.chat
    state.channel, state.chat_id, state.user_id = chat.channel, chat.chat_id, turn.inbound.user_id
    state.member_id = turn.member.id if turn.member else None
    state.step, state.status, state.pending = "pick", DialogStatus.ACTIVE, None
    state.draft = {"commands": names}
    state.updated_at, state.expires_at = now, now + MENU_TTL
    await turn.session.flush()
    turn.reply(template, choices=labels, name=turn.member.name if turn.member else "", role=role)


def pick(turn: Turn, state: DialogState, text: str) -> str | None:
    """Return the command picked from a shown menu by number or label, or None."""
    names = list(state.draft.get("commands", []))
    labels = [turn.renderer.render(f"commands/{name}") for name in names]
    try:
        return names[parse_choice(text, labels)]
    except UserError:
        return None

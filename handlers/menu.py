"""The numbered menu of what a person may do; typing a number picks from it."""

from __future__ import annotations

from datetime import timedelta

from handlers.command_table import for_role
from handlers.errors import UserError
from handlers.parsing import parse_choice
from handlers.services import conversations
from handlers.services.conversations import MENU, Conversation
from handlers.turn import Turn

MENU_TTL = timedelta(days=1)

__all__ = ["MENU", "drop", "pick", "show"]


async def show(turn: Turn, template: str = "common/menu") -> None:
    """Reply with the person's menu and remember it, so that a number picks an entry.

    Inside a dialog the menu is only shown: a number typed next answers the dialog.
    """
    role = turn.member.role if turn.member else None
    names = [c.name for c in for_role(role)]
    labels = tuple(turn.renderer.render(f"commands/{name}") for name in names)
    current = turn.state if turn.state is not None and turn.state.key == turn.state_key else None
    if current is None or current.dialog == MENU:
        await _remember(turn, current, names)
    turn.reply(template, choices=labels, name=turn.member.name if turn.member else "", role=role)


async def _remember(turn: Turn, shown: Conversation | None, names: list[str]) -> None:
    now = turn.clock.now()
    state = shown or await conversations.kept(turn.work, turn.state_key, MENU) or \
        conversations.begin(turn.state_key, MENU, step="pick", chat=turn.inbound.chat,
                            user_id=turn.inbound.user_id, member_id=None, now=now, ttl=MENU_TTL)
    state.place(turn.inbound.chat, turn.inbound.user_id, turn.member.id if turn.member else None)
    state.step, state.status, state.pending = "pick", conversations.ACTIVE, None
    state.draft = {"commands": names}
    state.extend(now, MENU_TTL)
    await conversations.save(turn.work, state)
    turn.state = state


async def drop(turn: Turn) -> None:
    """Forget the menu shown (a command or a dialog takes its place)."""
    if turn.state is not None and turn.state.dialog == MENU:
        await conversations.remove(turn.work, turn.state)
        turn.state = None


def pick(turn: Turn, state: Conversation, text: str) -> str | None:
    """Return the command picked from a shown menu by number or label, or None."""
    names = list(state.draft.get("commands", []))
    labels = [turn.renderer.render(f"commands/{name}") for name in names]
    try:
        return names[parse_choice(text, labels)]
    except UserError:
        return None

"""Commands anyone may use: /start and /trogiup (/huy is handled by the router)."""

from __future__ import annotations

from handlers import dialogs, menu
from handlers.dialogs import engine
from handlers.turn import Turn


async def start(turn: Turn, args: str) -> None:
    """Greet a known member with the menu; onboard a stranger (in a private chat only)."""
    if turn.member is not None:
        await menu.show(turn, "common/welcome_back")
        return
    if turn.inbound.chat.is_group:
        turn.reply("errors/need_start_dm")
        return
    await engine.start(turn, dialogs.DIALOGS["onboarding"], args)


async def show_help(turn: Turn, _args: str) -> None:
    """Show the help menu for this person's role."""
    await menu.show(turn, "common/help")

"""Linking a chat account to a roster member with the six-digit code an officer made (/maketnoi)."""

from __future__ import annotations

import re

from handlers import menu
from handlers.services import verification
from handlers.turn import Turn

CODE = re.compile(r"^\d{6}$")


def looks_like_code(text: str) -> bool:
    """Tell whether a message is a 6-digit link code."""
    return bool(CODE.match(text.strip()))


async def redeem(turn: Turn, code: str) -> bool:
    """Link the writer's account with a typed code; reply either way; True when linked."""
    inbound = turn.inbound
    result = await verification.redeem_code(
        turn.session, code=code.strip(), channel=inbound.chat.channel, user_id=inbound.user_id,
        display_name=inbound.user_name, now=turn.clock.now())
    if result.member is None:
        turn.reply(result.refusal or "verify/wrong_code")
        return False
    turn.member = result.member
    turn.reply("verify/linked", name=result.member.name)
    await menu.show(turn)
    return True

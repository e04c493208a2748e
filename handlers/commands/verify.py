"""Linking chat accounts to roster members: codes (/maketnoi, typed by the member) and checks."""

from __future__ import annotations

import re

from handlers import menu
from handlers.errors import UserError
from handlers.parsing import normalize_phone
from handlers.services import verification
from handlers.turn import Turn

CODE = re.compile(r"^\d{6}$")


def looks_like_code(text: str) -> bool:
    """Tell whether a message is a 6-digit link code."""
    return bool(CODE.match(text.strip()))


async def make_code(turn: Turn, args: str) -> None:
    """Give an officer a one-time code that links that member's chat account (/maketnoi PHONE)."""
    assert turn.member is not None
    phone = normalize_phone(args)
    if phone is None:
        raise UserError("verify/code_needs_phone")
    code, member = await verification.issue_code(turn.session, phone=phone, by=turn.member,
                                                 now=turn.clock.now())
    turn.reply("verify/code_issued", code=code, name=member.name,
               hours=int(verification.CODE_TTL.total_seconds() // 3600))


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

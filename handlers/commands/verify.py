"""/maketnoi: an officer makes a one-time code that links a member's chat account (handlers/linking.py)."""

from __future__ import annotations

from handlers.errors import UserError
from handlers.parsing import normalize_phone
from handlers.services import verification
from handlers.turn import Turn


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

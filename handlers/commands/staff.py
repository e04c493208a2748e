"""Staff commands from the reports area: /khenthuong (the award shortlist)."""

from __future__ import annotations

from handlers.errors import UserError
from handlers.services import awards
from handlers.services import members as member_service
from handlers.services import report_scope as scopes
from handlers.turn import Turn


async def award_shortlist(turn: Turn, args: str) -> None:
    """Show the award shortlist of the staff member's unit; `/khenthuong 1` for phase 1."""
    assert turn.member is not None
    assert turn.exports is not None
    word = args.split()[0] if args.split() else ""
    if word and not word.isdigit():
        raise UserError("awards/usage")
    unit = await member_service.unit_of(turn.session, turn.member)
    phase = await scopes.find_phase(turn.session, int(word) if word else None)
    scope = await scopes.build(turn.session, root=unit, phase=phase, now=turn.clock.now(),
                               today=turn.today)
    shortlist = await awards.shortlist(turn.session, scope, rules=turn.exports.settings.awards,
                                       counting=turn.settings.counting_statuses)
    turn.reply("awards/chat", s=shortlist)

"""/web: a one-time link that signs an officer or staff member in to the web page."""

from __future__ import annotations

from handlers.errors import UserError
from handlers.services import web_access
from handlers.turn import Turn


async def sign_in_link(turn: Turn, _args: str) -> None:
    """Reply with a link valid once, for a few minutes, that opens the web page signed in."""
    assert turn.member is not None
    if turn.signin is None:
        raise UserError("signin/disabled")
    url = await web_access.issue_link(turn.session, member=turn.member, policy=turn.signin,
                                      now=turn.clock.now(), via=turn.inbound.chat.channel)
    turn.reply("signin/link", url=url, minutes=int(turn.signin.link_ttl.total_seconds() // 60))

"""Messages to someone other than the person writing: an author, an officer."""

from __future__ import annotations

from typing import Any

from handlers.services import contacts
from handlers.turn import Turn


async def notify_member(turn: Turn, member_id: int, template: str, *, key: str,
                        choices: tuple[str, ...] = (), **data: Any) -> bool:
    """Queue a message to a member's private chat; False when they have no reachable account.

    `key` makes the message unique (e.g. `review:123:approved`), so it is never queued twice.
    """
    chat = await contacts.private_chat(turn.session, member_id)
    if chat is None:
        return False
    turn.notify(template, chat=chat, dedup_key=f"notify:{key}", member_id=member_id,
                choices=choices, **data)
    return True

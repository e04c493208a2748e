"""An officer entered an initiative for a member: record it, and ask the member to confirm it."""

from __future__ import annotations

from datetime import timedelta

from handlers.notifications import notify_member
from handlers.services import contacts, conversations
from handlers.services import initiatives as initiative_service
from handlers.services.records import Initiative, InitiativeStatus, Member
from handlers.turn import Turn

PAPER_DAYS = 3
CONFIRM_DIALOG = "confirm_entry"


async def register_for_member(turn: Turn, *, author: Member, text: initiative_service.InitiativeText,
                              rules: initiative_service.Eligibility) -> Initiative:
    """Record the initiative as waiting for its author, tell the author, and tell the officer."""
    assert turn.member is not None
    initiative = await initiative_service.register_initiative(
        turn.work, author=author, entered_by=turn.member, now=turn.clock.now(),
        status=InitiativeStatus.PENDING_CONFIRMATION, prefix=turn.settings.number_prefix,
        text=text, rules=rules)
    opened = await _open_confirmation(turn, author)
    reached = await notify_member(
        turn, author.id, "entry/ask_author", key=f"entry:{initiative.id}", initiative=initiative,
        officer=turn.member.name, direct=opened,
        choices=turn.labels("entry/choices") if opened else ())
    turn.reply("entry/entered", initiative=initiative, author=author, reached=reached,
               days=PAPER_DAYS)
    return initiative


async def _open_confirmation(turn: Turn, author: Member) -> bool:
    """Put the author straight into the confirmation, unless they are busy in another dialog."""
    chat = await contacts.private_chat(turn.session, author.id)
    if chat is None:
        return False
    return await conversations.open_for(
        turn.work, key=f"member:{author.id}", dialog=CONFIRM_DIALOG, step="answer",
        draft={"version": 1}, chat=chat, member_id=author.id, now=turn.clock.now(),
        ttl=timedelta(days=turn.settings.draft_ttl_days))

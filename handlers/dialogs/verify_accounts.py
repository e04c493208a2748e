"""Confirming chat accounts that claim to be members of the unit (/xacminh). See verify_accounts.mmd."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from handlers.dialogs.engine import Dialog
from handlers.errors import UserError
from handlers.parsing import parse_choice
from handlers.services import members as member_service
from handlers.services import verification
from handlers.turn import Turn
from handlers.types import ChatRef


class Step(StrEnum):
    """One step: decide on the account shown."""

    DECIDE = "decide"


@dataclass
class Draft:
    """The account on screen and the ones skipped."""

    version: int = 1
    current_id: int | None = None
    skipped: list[int] = field(default_factory=list)


async def _pick(turn: Turn, draft: Draft) -> bool:
    assert turn.member is not None
    pending = await verification.list_pending(turn.session, officer=turn.member)
    left = [identity for identity, _ in pending if identity.id not in draft.skipped]
    draft.current_id = left[0].id if left else None
    return bool(left)


async def on_start(turn: Turn, draft: Draft) -> None:
    """Load the first pending account, or say there is none."""
    if not await _pick(turn, draft):
        raise UserError("verify/none_pending")


async def decide(turn: Turn, draft: Draft, text: str) -> str | None:
    """1 confirm, 2 refuse, 3 skip."""
    choice = parse_choice(text, turn.labels("verify/choices"))
    assert turn.member is not None and draft.current_id is not None
    if choice == 2:
        draft.skipped.append(draft.current_id)
    else:
        identity = await verification.get_identity(turn.session, draft.current_id)
        assert identity is not None
        chat = ChatRef(identity.channel, identity.user_id)
        member = await verification.decide_pending(
            turn.session, identity_id=draft.current_id, officer=turn.member, accept=choice == 0,
            now=turn.clock.now())
        outcome = "accepted" if choice == 0 else "refused"
        turn.reply("verify/decided", name=member.name, outcome=outcome)
        turn.notify("verify/account_notice", chat=chat, outcome=outcome,
                    dedup_key=f"notify:verify:{draft.current_id}:{outcome}")
    if await _pick(turn, draft):
        return Step.DECIDE
    turn.reply("verify/all_done")
    return None


async def prompt(turn: Turn, draft: Draft, step: str) -> None:
    """Show the account and the member it claims to be."""
    identity = await verification.get_identity(turn.session, draft.current_id)
    member = await member_service.get(turn.session, identity.member_id) if identity else None
    turn.reply("verify/show", identity=identity, member=member,
               choices=turn.labels("verify/choices"))


DIALOG = Dialog(name="verify_accounts", draft_type=Draft, first_step=Step.DECIDE,
                handlers={Step.DECIDE: decide}, prompt=prompt, on_start=on_start, area="verify")

"""What each command that is not a dialog runs: `/name` → an async function of (turn, args).

Kept apart from the command table so that the table stays a leaf (the menu and the help read it
without importing a command or a dialog).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.commands import general, initiatives, member, officer, outreach, staff, verify, web
from handlers.dialogs import review
from handlers.turn import Turn

Action = Callable[[Turn, str], Awaitable[None]]

ACTIONS: dict[str, Action] = {
    "start": general.start,
    "trogiup": general.show_help,
    "cuatoi": member.my_initiatives,
    "tiendo": member.unit_progress,
    "xephang": member.league,
    "sua": initiatives.edit,
    "duyet": review.start,
    "chuanop": officer.not_yet_submitted,
    "maketnoi": verify.make_code,
    "xacnhangiay": initiatives.confirm_on_paper,
    "lienket": officer.link_group,
    "daportal": initiatives.mark_on_portal,
    "baocao": outreach.digest_now,
    "tatnhacnho": outreach.reminders_off,
    "batnhacnho": outreach.reminders_on,
    "khenthuong": staff.award_shortlist,
    "web": web.sign_in_link,
}
"""Every command without a dialog, except /huy (the router cancels the dialog in hand)."""

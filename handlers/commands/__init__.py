"""The command table: every chat command, who may use it, where, and the words that reach it.

This one table drives dispatch, permission checks, the help menu and the permission test.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from handlers.commands import general, initiatives, member, officer, outreach, staff, verify, web
from handlers.dialogs import review
from handlers.turn import Turn
from storage.models import Role

CommandFunc = Callable[[Turn, str], Awaitable[None]]


class Where(StrEnum):
    """Where a command may be used."""

    ANY = "any"
    DM = "dm"
    GROUP = "group"


@dataclass(frozen=True)
class Command:
    """One chat command: `/name`, run as a function or by starting a dialog."""

    name: str
    minimum: Role | None
    run: CommandFunc | None = None
    dialog: str | None = None
    where: Where = Where.ANY
    intents: tuple[str, ...] = ()
    in_menu: bool = True


COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("start", None, run=general.start, in_menu=False),
    Command("trogiup", None, run=general.show_help,
            intents=("tro giup", "help", "huong dan", "menu"), in_menu=False),
    Command("huy", None, in_menu=False),
    Command("sangkien", Role.MEMBER, dialog="register_initiative",
            intents=("sang kien", "gui sang kien", "dang ky sang kien", "nop sang kien",
                     "dang ky", "sang kien moi")),
    Command("cuatoi", Role.MEMBER, run=member.my_initiatives,
            intents=("cua toi", "sang kien cua toi", "cua minh")),
    Command("tiendo", Role.MEMBER, run=member.unit_progress,
            intents=("tien do", "tien do don vi")),
    Command("xephang", Role.MEMBER, run=member.league,
            intents=("xep hang", "bang xep hang")),
    Command("sua", Role.MEMBER, run=initiatives.edit, intents=("sua sang kien",), in_menu=False),
    Command("rut", Role.MEMBER, dialog="withdraw", intents=("rut sang kien",), in_menu=False),
    Command("xacnhan", Role.MEMBER, dialog="confirm_entry", where=Where.DM, in_menu=False),
    Command("duyet", Role.OFFICER, run=review.start, where=Where.DM, intents=("duyet",)),
    Command("nhaptho", Role.OFFICER, dialog="proxy_entry", where=Where.DM,
            intents=("nhap tho", "nhap ho")),
    Command("chuanop", Role.OFFICER, run=officer.not_yet_submitted,
            intents=("chua nop",)),
    Command("xacminh", Role.OFFICER, dialog="verify_accounts", where=Where.DM,
            intents=("xac minh",)),
    Command("maketnoi", Role.OFFICER, run=verify.make_code, where=Where.DM,
            intents=("ma ket noi",)),
    Command("xacnhangiay", Role.OFFICER, run=initiatives.confirm_on_paper, where=Where.DM,
            in_menu=False),
    Command("lienket", Role.OFFICER, run=officer.link_group, where=Where.GROUP, in_menu=False),
    Command("daportal", Role.STAFF, run=initiatives.mark_on_portal, where=Where.DM,
            in_menu=False),
    Command("baocao", Role.OFFICER, run=outreach.digest_now,
            intents=("bao cao", "ban tin", "bao cao don vi")),
    Command("thongbao", Role.STAFF, dialog="broadcast", where=Where.DM,
            intents=("thong bao", "gui thong bao")),
    Command("tatnhacnho", Role.MEMBER, run=outreach.reminders_off,
            intents=("tat nhac nho", "dung nhac nho", "khong nhac nua")),
    Command("batnhacnho", Role.MEMBER, run=outreach.reminders_on,
            intents=("bat nhac nho", "nhac lai")),
    Command("xuat", Role.STAFF, dialog="export_report",
            intents=("xuat bao cao", "xuat excel", "xuat file")),
    Command("khenthuong", Role.STAFF, run=staff.award_shortlist,
            intents=("khen thuong", "de xuat khen thuong")),
    Command("dot", Role.STAFF, dialog="phases",
            intents=("quan ly giai doan", "mo giai doan", "dong giai doan")),
    Command("nhapds", Role.STAFF, dialog="import_roster", where=Where.DM,
            intents=("nhap danh sach", "nhap ds")),
    Command("web", Role.OFFICER, run=web.sign_in_link, where=Where.DM,
            intents=("trang web", "dang nhap web", "xem tren web")),
)}

FILE_COMMAND = "nhapds"
"""The command a file sent outside a dialog reaches (staff import rosters by sending them)."""

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@(\S+))?(?:\s+(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class ParsedCommand:
    """A command as typed: its name, the bot it was addressed to, and the rest of the line."""

    name: str
    addressee: str | None
    args: str


def parse(text: str) -> ParsedCommand | None:
    """Parse `/cmd`, `/cmd@Bot args` or `@Bot Name /cmd args`; None when it is not a command."""
    if text.startswith("@") and " /" in text:
        text = text[text.index(" /") + 1:]
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    name, addressee, args = match.groups()
    return ParsedCommand(name.lower(), addressee, (args or "").strip())


def for_role(role: str | None) -> list[Command]:
    """List the menu commands a role may use, in table order."""
    from handlers.roles import allows

    return [c for c in COMMANDS.values() if c.in_menu and allows(role, c.minimum)]

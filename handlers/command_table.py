"""The command table: every chat command, who may use it, where, and the words that reach it.

This one table drives dispatch, permission checks, the help menu and the permission test. It is a
leaf: it names what a command runs (a dialog, or an action in `actions.py`) and imports neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from handlers.services.records import Role
from handlers.services.roles import allows


class Where(StrEnum):
    """Where a command may be used."""

    ANY = "any"
    DM = "dm"
    GROUP = "group"


@dataclass(frozen=True)
class Command:
    """One chat command: `/name`, run by starting `dialog`, or else by its action (actions.py)."""

    name: str
    minimum: Role | None
    dialog: str | None = None
    where: Where = Where.ANY
    intents: tuple[str, ...] = ()
    in_menu: bool = True


COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("start", None, in_menu=False),
    Command("trogiup", None, intents=("tro giup", "help", "huong dan", "menu"), in_menu=False),
    Command("huy", None, in_menu=False),
    Command("sangkien", Role.MEMBER, dialog="register_initiative",
            intents=("sang kien", "gui sang kien", "dang ky sang kien", "nop sang kien",
                     "dang ky", "sang kien moi")),
    Command("cuatoi", Role.MEMBER, intents=("cua toi", "sang kien cua toi", "cua minh")),
    Command("tiendo", Role.MEMBER, intents=("tien do", "tien do don vi")),
    Command("xephang", Role.MEMBER, intents=("xep hang", "bang xep hang")),
    Command("sua", Role.MEMBER, intents=("sua sang kien",), in_menu=False),
    Command("rut", Role.MEMBER, dialog="withdraw", intents=("rut sang kien",), in_menu=False),
    Command("xacnhan", Role.MEMBER, dialog="confirm_entry", where=Where.DM, in_menu=False),
    Command("duyet", Role.OFFICER, where=Where.DM, intents=("duyet",)),
    Command("nhaptho", Role.OFFICER, dialog="proxy_entry", where=Where.DM,
            intents=("nhap tho", "nhap ho")),
    Command("chuanop", Role.OFFICER, intents=("chua nop",)),
    Command("xacminh", Role.OFFICER, dialog="verify_accounts", where=Where.DM,
            intents=("xac minh",)),
    Command("maketnoi", Role.OFFICER, where=Where.DM, intents=("ma ket noi",)),
    Command("xacnhangiay", Role.OFFICER, where=Where.DM, in_menu=False),
    Command("lienket", Role.OFFICER, where=Where.GROUP, in_menu=False),
    Command("daportal", Role.STAFF, where=Where.DM, in_menu=False),
    Command("baocao", Role.OFFICER, intents=("bao cao", "ban tin", "bao cao don vi")),
    Command("thongbao", Role.STAFF, dialog="broadcast", where=Where.DM,
            intents=("thong bao", "gui thong bao")),
    Command("tatnhacnho", Role.MEMBER,
            intents=("tat nhac nho", "dung nhac nho", "khong nhac nua")),
    Command("batnhacnho", Role.MEMBER, intents=("bat nhac nho", "nhac lai")),
    Command("xuat", Role.STAFF, dialog="export_report",
            intents=("xuat bao cao", "xuat excel", "xuat file")),
    Command("khenthuong", Role.STAFF, intents=("khen thuong", "de xuat khen thuong")),
    Command("dot", Role.STAFF, dialog="phases",
            intents=("quan ly giai doan", "mo giai doan", "dong giai doan")),
    Command("nhapds", Role.STAFF, dialog="import_roster", where=Where.DM,
            intents=("nhap danh sach", "nhap ds")),
    Command("web", Role.OFFICER, where=Where.DM,
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
    return [c for c in COMMANDS.values() if c.in_menu and allows(role, c.minimum)]

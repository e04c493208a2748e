"""Hostile input, generated: every dialog step and every command, with arbitrary text.

For each input: no crash (never the "unexpected" answer, no error logged), always an answer in
Vietnamese, and when a step refuses the input (the engine logs the refusal) the dialog's step and
draft are exactly as before. Each example starts from the same saved state.
The number of examples per step is SANGKIEN_HOSTILE_EXAMPLES (default 150; CI runs the default,
which with the pure-function properties in tests/unit/test_hostile_parsing.py passes 10,000).
On PostgreSQL every third of them runs (what differs there is how text is stored, a NUL byte
say, and the corpus's kinds of text are spread over it), which keeps the suite under its time.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from handlers.command_table import COMMANDS
from storage.models import DialogState, Identity
from tests.factories import Federation, add_initiatives
from tests.fakes.driver import ChatDriver, ChatUser

EXAMPLES = int(os.environ.get("SANGKIEN_HOSTILE_EXAMPLES", "150"))
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]",
                        re.IGNORECASE)
UNEXPECTED = "hệ thống gặp sự cố"
TITLE = "Cải tiến quy trình nhập kho bằng mã QR"
CONTENT = "Dán mã QR lên từng kệ và quét bằng điện thoại khi nhập, xuất kho."

MARKUP = st.sampled_from([
    "<b>x</b>", "<script>alert(1)</script>", "**đậm** _nghiêng_", "[link](http://x)", "&amp;&lt;",
    "\u202eđảo chiều", "\x00\x07\x1b[31m", "/", "//", "/ /", "@", "@Bot Cong Doan", "0", "-1",
    "9" * 30, "1e9", "NaN", "SK-", "SK-999999", "0900000003", "+84 900 000 003", "😀" * 50,
    "Ｓáng kiến", "sa\u0301ng kie\u0302\u0301n", "ㅤ", "\u200b" * 5, "\n\n\n", "\t", " " * 300,
])
HOSTILE = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "So", "Mn", "Co"]), max_size=40),
    MARKUP,
    st.text(min_size=1000, max_size=4000),
    st.builds(lambda head, tail: head + tail, MARKUP, st.text(max_size=40)),
)


@functools.cache
def corpus(name: str, count: int = EXAMPLES) -> tuple[Any, ...]:
    """Generate `count` inputs with hypothesis, the same ones every run (derandomized).

    The router is async and its database is bound to the test's event loop, which hypothesis's
    own runner cannot enter; so hypothesis generates and the test feeds the inputs one by one
    (a failure names the input; there is no shrinking).
    """
    strategy = {"text": HOSTILE, "command": st.tuples(st.sampled_from(sorted(COMMANDS)), HOSTILE)}[name]
    found: list[Any] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return tuple(found)


def inputs(chat: ChatDriver, name: str) -> tuple[Any, ...]:
    """The corpus on SQLite; every third input of it on PostgreSQL."""
    found = corpus(name)
    return found if chat.app.engine.dialect.name == "sqlite" else found[::3]


@dataclass
class Place:
    """Where the fuzzed person stands: their chat, and the dialog state saved there."""

    user: ChatUser
    saved: dict[str, Any] | None = None
    ready: bool = False
    refusals: list[str] = field(default_factory=list)


async def state_of(chat: ChatDriver, user: ChatUser) -> dict[str, Any] | None:
    async with chat.app.sessions() as session:
        row = (await session.execute(select(DialogState).where(
            DialogState.user_id == user.user_id, DialogState.status == "active",
            DialogState.dialog != "menu"))).scalar_one_or_none()
        if row is None:
            return None
        return {c.key: getattr(row, c.key) for c in DialogState.__table__.columns
                if c.key not in ("id", "version")}


async def restore(chat: ChatDriver, saved: dict[str, Any] | None, user: ChatUser,
                  stranger: bool) -> None:
    """Put the person back exactly where they stood: the saved dialog row and nothing else."""
    async with chat.app.sessions() as session, session.begin():
        await session.execute(delete(DialogState).where(DialogState.user_id == user.user_id))
        if stranger:  # an input that completed onboarding made them a member: undo it
            await session.execute(delete(Identity).where(Identity.user_id == user.user_id))
        if saved is not None:
            values = dict(saved, status="active", draft=copy.deepcopy(saved["draft"]),
                          expires_at=chat.app.clock.now() + timedelta(days=30))
            session.add(DialogState(**values))


async def check_one(chat: ChatDriver, place: Place, text: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    await place.user.says(text)
    replies = await place.user.replies()
    assert replies, f"no answer to {text!r}"
    for reply in replies:
        assert UNEXPECTED not in reply, f"crash on {text!r}"
        assert VIETNAMESE.search(reply), f"not Vietnamese: {reply[:80]!r} for {text!r}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()
    refused = [r for r in caplog.records if "refused:" in r.getMessage()]
    if refused and place.saved is not None:
        after = await state_of(chat, place.user)
        assert after is not None
        assert (after["step"], after["draft"]) == (place.saved["step"], place.saved["draft"]), text


async def prepare(chat: ChatDriver, place: Place, setup: list[str]) -> None:
    if place.ready:
        await restore(chat, place.saved, place.user, stranger=place.user.user_id.startswith("str"))
        await place.user.replies()
        return
    for line in setup:
        await place.user.says(line)
        await place.user.replies()
    place.saved = await state_of(chat, place.user)
    place.ready = True


REGISTER = {
    "ask_title": ["/sangkien"],
    "ask_field": ["/sangkien", TITLE],
    "ask_content": ["/sangkien", TITLE, "4"],
    "ask_effect": ["/sangkien", TITLE, "4", CONTENT],
    "ask_benefit": ["/sangkien", TITLE, "4", CONTENT, "Nhanh gấp đôi."],
    "confirm": ["/sangkien", TITLE, "4", CONTENT, "Nhanh gấp đôi.", "0"],
    "pick_edit": ["/sangkien", TITLE, "4", CONTENT, "Nhanh gấp đôi.", "0", "2"],
    "ask_applied_since": ["/sangkien", TITLE, "4", CONTENT, "Nhanh gấp đôi.", "0", "2", "6"],
    "ask_tech_secret": ["/sangkien", TITLE, "4", CONTENT, "Nhanh gấp đôi.", "0", "2", "7"],
}
OTHER_STEPS = {
    "onboarding/ask_unit": (None, ["/start"]),
    "onboarding/pick_unit": (None, ["/start", "cong ty"]),
    "onboarding/ask_name": (None, ["/start DN01"]),
    "onboarding/ask_phone": (None, ["/start DN01", "Ngô An"]),
    "review/decide": ("0900000002", ["/duyet"]),
    "review/ask_reason": ("0900000002", ["/duyet", "2"]),
    "proxy/find_member": ("0900000002", ["/nhaptho"]),
    "withdraw/ask_number": ("0900000003", ["/rut"]),
    "broadcast/pick_audience": ("0900000001", ["/thongbao"]),
    "broadcast/ask_text": ("0900000001", ["/thongbao", "1"]),
    "phases/menu": ("0900000001", ["/dot"]),
    "export/pick_export": ("0900000001", ["/xuat"]),
    "menu": ("0900000003", ["xin chào"]),
}


async def person(chat: ChatDriver, phone: str | None, key: str) -> ChatUser:
    return chat.user(f"stranger-{key}") if phone is None else await chat.member(phone)


@pytest.mark.parametrize("step", list(REGISTER))
async def test_every_registration_step_survives_hostile_text(
        chat: ChatDriver, federation: Federation, step: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="handlers.dialogs.engine")
    place = Place(await chat.member("0900000003"))
    for text in inputs(chat, "text"):
        await prepare(chat, place, REGISTER[step])
        await check_one(chat, place, text, caplog)


@pytest.mark.parametrize("name", list(OTHER_STEPS))
async def test_every_other_dialog_step_survives_hostile_text(
        chat: ChatDriver, federation: Federation, name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="handlers.dialogs.engine")
    await add_initiatives(chat.app, federation, "0900000003", 2)
    phone, setup = OTHER_STEPS[name]
    place = Place(await person(chat, phone, name.replace("/", "-")))
    for text in inputs(chat, "text"):
        await prepare(chat, place, setup)
        await check_one(chat, place, text, caplog)


@pytest.mark.parametrize("phone", [None, "0900000003", "0900000001"])
async def test_every_command_survives_hostile_arguments(
        chat: ChatDriver, federation: Federation, phone: str | None,
        caplog: pytest.LogCaptureFixture) -> None:
    await add_initiatives(chat.app, federation, "0900000003", 1)
    place = Place(await person(chat, phone, "cmd"))
    for name, args in inputs(chat, "command"):
        await restore(chat, None, place.user, stranger=phone is None)
        await place.user.replies()
        await check_one(chat, place, f"/{name} {args}", caplog)

"""The permission table, walked completely: every command × every role, own unit vs another."""

from __future__ import annotations

import pytest

from handlers.command_table import COMMANDS, Where
from handlers.services.roles import allows
from tests.factories import Federation, add_initiatives
from tests.fakes.driver import ChatDriver, ChatUser

PEOPLE = {"member": "0900000003", "officer": "0900000002", "staff": "0900000001",
          "admin": "0900000008"}
ARGS = {"lienket": "DN01", "maketnoi": "0900000005", "xacnhangiay": "SK-000001",
        "daportal": "SK-000001", "sua": "SK-000001", "rut": "SK-000001"}
REFUSALS = ("chỉ dành cho", "Gõ /start để bắt đầu", "nhắn riêng cho bot")


async def person(chat: ChatDriver, role: str) -> ChatUser:
    return chat.user("stranger-1") if role == "stranger" else await chat.member(PEOPLE[role])


async def run(user: ChatUser, name: str) -> str:
    target = user.in_group("DN01") if COMMANDS[name].where == Where.GROUP else user
    await target.says(f"/{name} {ARGS.get(name, '')}".strip())
    replies = await target.replies()
    await target.says("/huy")
    await target.replies()
    assert replies, f"/{name} got no answer"
    return "\n".join(replies)


@pytest.mark.parametrize("role", ["stranger", "member", "officer", "staff", "admin"])
async def test_every_command_for_every_role(chat: ChatDriver, federation: Federation,
                                            role: str) -> None:
    await add_initiatives(chat.app, federation, "0900000005", 1)
    user = await person(chat, role)
    rank_role = None if role == "stranger" else role
    for name, command in COMMANDS.items():
        answer = await run(user, name)
        refused = any(r in answer for r in REFUSALS)
        assert refused == (not allows(rank_role, command.minimum)), (role, name, answer[:120])


async def test_officer_acts_on_own_unit_only_staff_on_the_district(
        chat: ChatDriver, federation: Federation) -> None:
    [number] = await add_initiatives(chat.app, federation, "0900000004", 1,
                                     status="pending_confirmation")
    minh = await chat.member("0900000002")
    ha = await chat.member("0900000001")
    other_unit = "không phải TH01"
    await minh.says("/maketnoi 0900000004")
    assert other_unit in await minh.next_reply()
    await ha.says("/maketnoi 0900000004")
    assert "Mã liên kết cho Phạm Quốc Huy" in await ha.next_reply()
    await minh.says(f"/xacnhangiay {number}")
    assert other_unit in await minh.next_reply()
    await ha.says(f"/xacnhangiay {number}")
    assert "được tính cho đơn vị" in await ha.next_reply()
    await minh.in_group("TH01").says("/lienket TH01")
    assert "chỉ liên kết được nhóm với đơn vị của mình" in await minh.in_group("TH01").next_reply()
    await ha.in_group("TH01").says("/lienket TH01")
    assert "Đã liên kết nhóm này" in await ha.in_group("TH01").next_reply()


async def test_commands_are_refused_in_the_wrong_place(chat: ChatDriver) -> None:
    minh = await chat.member("0900000002")
    await minh.in_group("DN01").says("/duyet")
    assert "chỉ dùng khi nhắn riêng" in await minh.in_group("DN01").next_reply()
    await minh.says("/lienket DN01")
    assert "chỉ dùng trong nhóm" in await minh.next_reply()

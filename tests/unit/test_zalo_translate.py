"""Zalo events (the documented shapes in tests/fixtures/zalo) → Inbound."""

from __future__ import annotations

import pytest

from bot.channels.zalo import translate
from handlers.types import InboundKind
from tests.fakes import zalo_events


def inbound(name: str, **kwargs):
    event = translate.unwrap(zalo_events.fixture(name))
    assert event is not None
    return translate.to_inbound(event, **kwargs)


def test_a_text_message_keeps_opaque_string_ids() -> None:
    got = inbound("text")
    assert (got.chat.channel, got.chat.chat_id, got.chat.is_group) == (
        "zalo", "6ede9afa66b88fe6d6a9", False)
    assert (got.user_id, got.user_name, got.kind) == ("6ede9afa66b88fe6d6a9", "Nguyễn Văn A",
                                                      InboundKind.TEXT)
    assert got.text == "/sangkien Cải tiến quy trình kho"
    assert got.update_id == "6ede9afa66b88fe6d6a9:a1b2c3d4e5f601234567"


def test_the_bare_form_and_the_envelope_give_the_same_event() -> None:
    bare = zalo_events.fixture("bare_text")
    wrapped = {"ok": True, "result": bare}
    assert translate.unwrap(bare) == translate.unwrap(wrapped)


@pytest.mark.parametrize(("name", "url"), [
    ("image_photo_url", "https://photo-stal-1.zdn.vn/a/b/x.jpg"),
    ("image_photo", "https://s120-ava-talk.zadn.vn/c/d/y.jpg"),
])
def test_an_image_carries_its_url_and_caption_either_way(name: str, url: str) -> None:
    got = inbound(name)
    assert got.kind == InboundKind.PHOTO and got.payload["photo_url"] == url and got.text


@pytest.mark.parametrize(("name", "kind"), [
    ("sticker", InboundKind.STICKER), ("voice", InboundKind.VOICE),
    ("unsupported", InboundKind.UNSUPPORTED),
])
def test_other_kinds_are_named_for_the_core(name: str, kind: InboundKind) -> None:
    assert inbound(name).kind == kind


def test_a_group_mention_is_stripped_and_the_chat_is_the_group() -> None:
    got = inbound("group_mention", bot_names={"Bot CongDoan"})
    assert got.chat.is_group and got.chat.chat_id == "9f8e7d6c5b4a39281706"
    assert got.user_id == "0a1b2c3d4e5f6a7b8c9d" and got.text == "/baocao"


@pytest.mark.parametrize(("text", "names", "expected"), [
    ("@Bot CongDoan Sắp xếp kho", {"Bot CongDoan"}, "Sắp xếp kho"),
    ("@bot congdoan, 3", {"Bot CongDoan"}, "3"),
    ("Sắp xếp kho @Bot CongDoan", {"Bot CongDoan"}, "Sắp xếp kho"),
    ("@Bot CongDoanX hi", {"Bot CongDoan"}, "@Bot CongDoanX hi"),
    ("@Bot Khác /tiendo", set(), "/tiendo"),
])
def test_the_mention_of_the_bot_is_removed(text: str, names: set[str], expected: str) -> None:
    assert translate.strip_mention(text, names) == expected


def test_webhook_test_and_unknown_events_are_not_messages() -> None:
    for name in ("webhook_test", "unknown_event"):
        event = translate.unwrap(zalo_events.fixture(name))
        assert event is not None and translate.to_inbound(event) is None


def test_a_body_without_an_event_is_not_one() -> None:
    assert translate.unwrap({"ok": True, "result": {}}) is None
    assert translate.unwrap([1, 2]) is None


def test_a_message_without_an_id_gets_a_stable_one_from_its_body() -> None:
    body = zalo_events.event("text", user="u1", text="hi")
    del body["result"]["message"]["message_id"]
    first = translate.to_inbound(translate.unwrap(body))
    again = translate.to_inbound(translate.unwrap(body))
    assert first.update_id == again.update_id and first.update_id.startswith("u1:h")

"""Webhook mode: the secret is checked first, repeats get one reply, 200 means committed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select

from storage.models import OutboxMessage, ProcessedUpdate
from tests.fakes.raw_http import post_in_parts
from tests.fakes.telegram_harness import SECRET, TelegramBot, running_bot

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}


@pytest.fixture
async def tg(db_url: str) -> AsyncIterator[TelegramBot]:
    async with running_bot(db_url, "webhook") as bot:
        yield bot


async def stored(tg: TelegramBot) -> tuple[int, int]:
    assert tg.app is not None
    async with tg.app.sessions() as session:
        updates = (await session.execute(select(func.count(ProcessedUpdate.id)))).scalar_one()
        rows = (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one()
    return updates, rows


async def test_webhook_is_set_at_start_with_the_secret(tg: TelegramBot) -> None:
    [call] = tg.fake.calls_of("setWebhook")
    assert call["url"] == tg.config.telegram.webhook_url and call["secret_token"] == SECRET
    assert call["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
    assert not tg.fake.calls_of("getUpdates")


async def test_the_same_update_delivered_twice_gets_one_reply(tg: TelegramBot) -> None:
    an = tg.user(901)
    first = await an.says("/trogiup")
    assert first.status == 200
    assert await tg.fake.post_webhook(first.update) == 200
    await tg.fake.next_message(an.chat)
    assert not tg.fake.unread(an.chat)
    assert await stored(tg) == (1, 1)


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
async def test_bad_secret_is_refused_with_403_and_nothing_stored(tg: TelegramBot,
                                                                 secret: str) -> None:
    delivered = await tg.user(902).says("/start", secret=secret)
    assert delivered.status == 403
    assert await stored(tg) == (0, 0)
    assert not tg.fake.calls_of("sendMessage")


async def test_oversized_body_is_refused_before_reading_it_all(tg: TelegramBot) -> None:
    body = b'{"update_id": 1, "message": {"text": "' + b"x" * 300_000 + b'"}}'
    async with ClientSession() as http, http.post(
            tg.config.telegram.webhook_url, data=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                     "Content-Type": "application/json"}) as response:
        assert response.status == 413
    assert await stored(tg) == (0, 0)


async def test_an_update_whose_body_arrives_in_two_parts_is_handled(tg: TelegramBot) -> None:
    an = tg.user(903)
    text = "Cho tôi hỏi cách gửi sáng kiến của tổ mình. " * 60
    body = json.dumps(tg.fake.new_update("message", an.message(text=text))).encode()
    assert len(body) > 3000
    half = len(body) // 2
    assert await post_in_parts(tg.config.telegram.webhook_url, [body[:half], body[half:]],
                               headers=HEADERS, pause=0.5) == 200
    assert tg.fake.unread(an.chat)  # 200 comes once the replies went out
    for _ in tg.fake.unread(an.chat):
        await tg.fake.next_message(an.chat)
    updates, _ = await stored(tg)
    assert updates == 1


async def test_a_chunked_body_over_the_cap_without_a_length_is_refused(tg: TelegramBot) -> None:
    body = b'{"update_id": 1, "message": {"text": "' + b"x" * 300_000 + b'"}}'
    parts = [body[i:i + 65_536] for i in range(0, len(body), 65_536)]
    assert await post_in_parts(tg.config.telegram.webhook_url, parts, headers=HEADERS,
                               pause=0.05, chunked=True) == 413
    assert await stored(tg) == (0, 0)


async def test_unreadable_update_is_answered_400(tg: TelegramBot) -> None:
    async with ClientSession() as http, http.post(
            tg.config.telegram.webhook_url, data=b"{not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        assert response.status == 400


async def test_a_deeply_nested_body_is_answered_400(tg: TelegramBot) -> None:
    async with ClientSession() as http, http.post(
            tg.config.telegram.webhook_url, data=b"[" * 100_000, headers=HEADERS) as response:
        assert response.status == 400
    assert await stored(tg) == (0, 0)


async def test_webhook_mode_without_a_secret_fails_at_start_naming_the_key(db_url: str) -> None:
    from bot.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="telegram"):
        load_config(env={"SANGKIEN__DATABASE__URL": db_url, "SANGKIEN__TELEGRAM__TOKEN": "1:x",
                         "SANGKIEN__TELEGRAM__MODE": "webhook"})


def test_webhook_mode_without_the_web_server_fails_at_start(db_url: str) -> None:
    from bot.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="web server"):
        load_config(env={"SANGKIEN__DATABASE__URL": db_url, "SANGKIEN__TELEGRAM__TOKEN": "1:x",
                         "SANGKIEN__TELEGRAM__MODE": "webhook",
                         "SANGKIEN__TELEGRAM__WEBHOOK_SECRET": "abc", "SANGKIEN__WEB__ENABLED": "false"})

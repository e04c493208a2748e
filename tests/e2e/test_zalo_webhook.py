"""The Zalo webhook route: secret, body forms and limits, and aligning the webhook at start."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models import OutboxMessage, ProcessedUpdate
from tests.fakes import zalo_events
from tests.fakes.raw_http import post_in_parts
from tests.fakes.zalo_bot import SECRET, ZaloBot

USER = "6ede9afa66b88fe6d6a9"
HEADERS = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}


async def stored(bot: ZaloBot) -> tuple[int, int]:
    async with bot.app.sessions() as session:
        claims = (await session.execute(select(func.count(ProcessedUpdate.id)))).scalar_one()
        rows = (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one()
    return claims, rows


async def test_a_wrong_secret_is_rejected_and_nothing_is_stored(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(zalo_events.text(USER, "/start"), secret="not-the-secret")
    assert status == 403
    assert await stored(bot) == (0, 0) and bot.fake.sent == []


async def test_a_missing_secret_is_rejected_and_nothing_is_stored(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(zalo_events.text(USER, "/start"), secret=None)
    assert status == 403
    assert await stored(bot) == (0, 0) and bot.fake.sent == []


async def test_a_bare_event_without_the_envelope_is_handled(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, answer = await bot.webhook.post(zalo_events.fixture("bare_text"))
    assert (status, answer) == (200, {"message": "Success"})
    assert "Trợ giúp" in (await bot.fake.next_message(USER)).text  # the bare body said /trogiup


async def test_an_envelope_with_error_code_zero_is_handled(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(zalo_events.fixture("envelope_error_code"))
    assert status == 200
    assert "Chương trình" in (await bot.fake.next_message(USER)).text
    await bot.fake.next_message(USER)


async def test_an_empty_body_is_answered_200_and_ignored(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(None)
    assert status == 200 and await stored(bot) == (0, 0)


async def test_a_body_over_the_cap_is_refused(start_zalo) -> None:
    bot = await start_zalo("webhook", webhook_max_bytes=2048)
    body = zalo_events.text(USER, "x" * 5000)
    status, _ = await bot.webhook.post(body)
    assert status == 413 and await stored(bot) == (0, 0)


async def test_a_body_that_arrives_in_two_parts_is_handled(start_zalo) -> None:
    bot = await start_zalo("webhook")
    body = json.dumps(zalo_events.text(USER, "Cho tôi hỏi cách gửi sáng kiến. " * 60)).encode()
    half = len(body) // 2
    status = await post_in_parts(bot.webhook.url, [body[:half], body[half:]], headers=HEADERS)
    assert status == 200 and bot.fake.unread(USER)  # 200 comes once the replies went out
    for _ in bot.fake.unread(USER):
        await bot.fake.next_message(USER)
    claims, _ = await stored(bot)
    assert claims == 1


async def test_a_chunked_body_over_the_cap_without_a_length_is_refused(start_zalo) -> None:
    bot = await start_zalo("webhook", webhook_max_bytes=2048)
    body = json.dumps(zalo_events.text(USER, "x" * 5000)).encode()
    parts = [body[i:i + 1024] for i in range(0, len(body), 1024)]
    status = await post_in_parts(bot.webhook.url, parts, headers=HEADERS, pause=0.05, chunked=True)
    assert status == 413 and await stored(bot) == (0, 0)


async def test_a_body_that_is_not_json_is_refused(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(b"{not json", headers={"Content-Type": "application/json"})
    assert status == 400 and await stored(bot) == (0, 0)


async def test_a_deeply_nested_body_is_refused_with_400_not_a_server_error(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert status == 400 and await stored(bot) == (0, 0)


async def test_the_platform_test_event_gets_200_and_no_answer(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(zalo_events.fixture("webhook_test"))
    assert status == 200 and await stored(bot) == (0, 0)


async def test_an_unknown_event_is_ignored(start_zalo) -> None:
    bot = await start_zalo("webhook")
    status, _ = await bot.webhook.post(zalo_events.fixture("unknown_event"))
    assert status == 200 and await stored(bot) == (0, 0)


async def test_the_configured_webhook_is_set_once_and_not_again_at_the_next_start(start_zalo) -> None:
    url = "https://bot.example.org/zalo/webhook"
    bot = await start_zalo("webhook", webhook_url=url)
    assert bot.fake.webhook == {"url": url, "secret_token": SECRET,
                                "updated_at": bot.fake.webhook["updated_at"]}
    await bot.restart()
    assert bot.fake.calls["setWebhook"] == 1 and bot.fake.calls["getWebhookInfo"] == 2


async def test_polling_mode_deletes_a_webhook_left_from_before(start_zalo) -> None:
    bot = await start_zalo("webhook", webhook_url="https://bot.example.org/zalo/webhook")
    await bot.shutdown()
    bot = await start_zalo("polling")
    assert bot.fake.webhook is None and bot.fake.calls["deleteWebhook"] == 1
    await bot.restart()
    assert bot.fake.calls["deleteWebhook"] == 1

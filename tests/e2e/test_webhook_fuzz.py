"""Webhook fuzz: random bodies, wrong content types, huge bodies and wrong secrets, on both
platforms' webhook routes over real HTTP. Each is answered without a server error, and nothing is
stored (no update claimed, no message queued); a wrong or missing secret is always a 403.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.models import OutboxMessage, ProcessedUpdate
from tests.fakes.telegram_harness import SECRET as TG_SECRET
from tests.fakes.telegram_harness import running_bot
from tests.fakes.zalo_bot import SECRET as ZALO_SECRET

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4),
    max_leaves=12)
SHAPED = st.fixed_dictionaries({
    # Keys a real update has, with values of the wrong kinds.
    "update_id": JSON, "message": JSON, "event_name": JSON, "result": JSON, "ok": JSON})
BODIES = st.one_of(
    st.binary(max_size=300),
    JSON.map(lambda v: json.dumps(v).encode()),
    SHAPED.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=200).map(str.encode),
    JSON.map(lambda v: json.dumps(v).encode()[: max(1, len(json.dumps(v)) // 2)]),
)
CONTENT_TYPES = ("application/json", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data", "", "application/json; charset=latin-1")
COUNT = 120


@functools.cache
def corpus() -> tuple[bytes, ...]:
    """The same random bodies every run (hypothesis generates, the async test posts)."""
    found: list[bytes] = []

    @settings(max_examples=COUNT, database=None, derandomize=True, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(BODIES)
    def collect(body: bytes) -> None:
        found.append(body)

    collect()
    return tuple(found)


async def stored(app: Any) -> tuple[int, int]:
    async with app.sessions() as session:
        claims = (await session.execute(select(func.count(ProcessedUpdate.id)))).scalar_one()
        rows = (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one()
    return claims, rows


async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with ClientSession() as http, http.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status


async def fuzz_route(url: str, header: str, secret: str, app: Any) -> None:
    rng = random.Random(5)
    for body in corpus():
        kind = rng.choice(CONTENT_TYPES)
        headers = {header: secret} | ({"Content-Type": kind} if kind else {})
        status = await post(url, body, headers)
        assert status < 500, (status, body[:80], kind)
        wrong = await post(url, body, {header: secret[::-1] + "x", "Content-Type": kind or "a/b"})
        assert wrong == 403, body[:80]
        assert await post(url, body, {"Content-Type": "application/json"}) == 403
    huge = b'{"update_id": 1, "message": {"text": "' + b"x" * 3_000_000 + b'"}}'
    assert await post(url, huge, {header: secret, "Content-Type": "application/json"}) == 413
    assert await stored(app) == (0, 0)


@pytest.fixture
async def telegram(db_url: str) -> AsyncIterator[Any]:
    async with running_bot(db_url, "webhook") as bot:
        yield bot


async def test_telegram_webhook_rejects_junk_and_stores_nothing(telegram: Any) -> None:
    await fuzz_route(telegram.config.telegram.webhook_url, "X-Telegram-Bot-Api-Secret-Token",
                     TG_SECRET, telegram.app)
    assert not telegram.fake.calls_of("sendMessage")


async def test_zalo_webhook_rejects_junk_and_stores_nothing(start_zalo: Any) -> None:
    bot = await start_zalo("webhook")
    await fuzz_route(bot.webhook.url, "X-Bot-Api-Secret-Token", ZALO_SECRET, bot.app)
    assert bot.fake.sent == []

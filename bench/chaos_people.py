"""The chaos run's outside world: fake platforms with fault modes, a load balancer, and people.

Everything here keeps the ground truth the chaos run checks the database against: which updates
were acknowledged, which initiatives were sent, which reviews were decided.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes import zalo_events
from tests.fakes.telegram_api import ApiError, FakeTelegram, Sent
from tests.fakes.zalo_api import FakeZalo

TELEGRAM_MODES = ("healthy", "5xx", "slow", "429")
ZALO_MODES = ("healthy", "5xx", "slow")
SLOW_SECONDS = 1.5
"""A slow platform answers after this long: well below the clients' time-outs (15 s, 20 s)."""


class ChaosTelegram(FakeTelegram):
    """The fake Bot API with a fault mode: healthy, 5xx, slow, or 429 with retry_after."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mode = "healthy"
        self.arrived: dict[int, asyncio.Event] = {}
        self.refused: Counter[str] = Counter()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.error_rate = 0.5 if mode == "5xx" else 0.0
        self.delay = SLOW_SECONDS if mode == "slow" else 0.0

    def _injected_fault(self, method: str, params: dict[str, Any]) -> None:
        if method.startswith("send") and self.mode == "429" and self.rng.random() < 0.5:
            self.refused["429"] += 1
            retry = self.rng.choice((1, 2, 3))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        try:
            super()._injected_fault(method, params)
        except ApiError as exc:
            self.refused[str(exc.status)] += 1
            raise

    def _arrive(self, sent: Sent) -> None:
        super()._arrive(sent)
        self.arrived.setdefault(sent.chat_id, asyncio.Event()).set()

    def count(self, chat_id: int) -> int:
        return len(self.by_chat.get(chat_id, ()))


class ChaosZalo(FakeZalo):
    """The fake Zalo Bot API with a fault mode: healthy, 5xx (some sends fail), or slow."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mode = "healthy"
        self.rng = random.Random(2)
        self.by_chat: dict[str, list[str]] = {}
        self.arrived: dict[str, asyncio.Event] = {}
        self.refused: Counter[str] = Counter()

    def set_mode(self, mode: str) -> None:
        self.mode = mode

    async def _send_message(self, request: web.Request, params: dict[str, Any]) -> web.Response:
        if self.mode == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if self.mode == "5xx" and self.rng.random() < 0.5:
            self.refused["502"] += 1
            return web.json_response({"ok": False, "error_code": 502,
                                      "description": "Bad Gateway"}, status=502)
        before = len(self.sent)
        response = await super()._send_message(request, params)
        if len(self.sent) > before:
            message = self.sent[-1]
            self.by_chat.setdefault(message.chat_id, []).append(message.text)
            self.arrived.setdefault(message.chat_id, asyncio.Event()).set()
        return response

    def count(self, chat_id: str) -> int:
        return len(self.by_chat.get(chat_id, ()))


@dataclass
class Worker:
    """One `sangkien run` process as the load balancer sees it."""

    name: str
    port: int
    up: bool = False


@dataclass
class Balancer:
    """Spreads webhook POSTs over the workers; a POST without 200 is delivered again.

    It plays the platform and the load balancer together: Telegram and Zalo deliver an update
    again when it was not acknowledged, and the balancer tries another worker.
    """

    workers: list[Worker]
    rng: random.Random
    timeout: float = 30.0
    posts: int = 0
    redeliveries: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout),
                                          connector=aiohttp.TCPConnector(limit=400))

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()

    async def deliver(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
        """POST until some worker answers 200; return how many tries it took."""
        assert self.http is not None
        started, tries = time.monotonic(), 0
        while True:
            up = [w for w in self.workers if w.up]
            if not up:
                await asyncio.sleep(0.2)
                continue
            worker = self.rng.choice(up)
            tries += 1
            self.posts += 1
            try:
                async with self.http.post(f"http://127.0.0.1:{worker.port}{path}", json=body,
                                          headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, outcome = 0, type(exc).__name__
            else:
                outcome = str(status)
            self.outcomes[outcome] += 1
            if status == 200:
                self.latencies.append(time.monotonic() - started)
                return tries
            self.redeliveries += 1
            await asyncio.sleep(min(2.0, 0.2 * tries) * self.rng.uniform(0.5, 1.5))


@dataclass
class Truth:
    """What the people did, as they know it: the run's ground truth."""

    acked: list[tuple[str, str]] = field(default_factory=list)
    """(channel, update id as the bot stores it) of every acknowledged update."""
    initiatives: list[dict[str, Any]] = field(default_factory=list)
    """One per registration whose final "1" was acknowledged."""
    approved: list[str] = field(default_factory=list)
    """Initiative numbers an officer approved (the "1" after `/duyet SK-…` was acknowledged)."""
    no_reply: int = 0
    """Updates after which no new message arrived within the patience time (checked later)."""


FIELDS = ("Giáo dục", "Y tế", "Công nghệ", "Kỹ thuật", "Quản lý/hành chính", "Phòng chống dịch",
          "Sản xuất kinh doanh", "Khác")
TOPICS = ("quy trình nhập kho", "sổ theo dõi ca trực", "lịch bảo dưỡng máy", "phiếu giao việc",
          "bảng điểm danh", "hồ sơ bệnh án", "giáo án điện tử", "tủ thuốc khoa", "dây chuyền may",
          "quầy một cửa")


@dataclass
class Person:
    """A member (or officer) on one channel, typing into their private chat."""

    index: int
    member_id: int
    channel: str
    user_id: str
    name: str

    def update(self, telegram: ChaosTelegram, text: str) -> tuple[str, dict[str, Any], str]:
        """Return (webhook path, body, the update id the bot stores) for `text`."""
        if self.channel == "telegram":
            chat_id = int(self.user_id)
            chat = telegram.chats.get(chat_id) or telegram.add_chat(chat_id, first_name=self.name)
            message: dict[str, Any] = {"message_id": telegram.message_id(chat_id),
                                       "date": int(time.time()), "chat": chat, "text": text,
                                       "from": {"id": chat_id, "is_bot": False,
                                                "first_name": self.name, "language_code": "vi"}}
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(text.split()[0])}]
            body = telegram.new_update("message", message)
            return "/telegram/webhook", body, str(body["update_id"])
        body = zalo_events.text(self.user_id, text, display_name=self.name)
        message_id = body["result"]["message"]["message_id"]
        return "/zalo/webhook", body, f"{self.user_id}:{message_id}"


@dataclass
class World:
    """The fakes, the balancer and the secrets the people need to reach the bot."""

    telegram: ChaosTelegram
    zalo: ChaosZalo
    balancer: Balancer
    telegram_secret: str
    zalo_secret: str
    truth: Truth
    rng: random.Random
    patience: float = 10.0
    think: tuple[float, float] = (2.0, 6.0)
    """Seconds a person takes to type the next answer (on a phone)."""

    def count(self, person: Person) -> int:
        if person.channel == "telegram":
            return self.telegram.count(int(person.user_id))
        return self.zalo.count(person.user_id)

    async def wait_reply(self, person: Person, before: int) -> bool:
        """Wait until a message newer than `before` arrived in the person's chat."""
        fake: Any = self.telegram if person.channel == "telegram" else self.zalo
        key: Any = int(person.user_id) if person.channel == "telegram" else person.user_id
        deadline = time.monotonic() + self.patience
        while self.count(person) <= before:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            event = fake.arrived.setdefault(key, asyncio.Event())
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), left)
        return True

    async def say(self, person: Person, text: str) -> None:
        """Type `text`: deliver it until acknowledged, then wait (a while) for the answer."""
        path, body, update_id = person.update(self.telegram, text)
        secret = ({"X-Telegram-Bot-Api-Secret-Token": self.telegram_secret}
                  if person.channel == "telegram" else {"X-Bot-Api-Secret-Token": self.zalo_secret})
        before = self.count(person)
        await self.balancer.deliver(path, body, secret)
        self.truth.acked.append((person.channel, update_id))
        if not await self.wait_reply(person, before):
            self.truth.no_reply += 1
        await asyncio.sleep(self.rng.uniform(*self.think))


def registration(person: Person, round_no: int, rng: random.Random) -> tuple[list[str], dict[str, Any]]:
    """The answers of one registration dialog and the initiative they should make."""
    topic = rng.choice(TOPICS)
    field_no = rng.randint(1, len(FIELDS))
    millions = rng.randint(1, 900)
    expected = {
        "member_id": person.member_id,
        "title": f"Cải tiến {topic} (TV{person.index:03d}, lần {round_no})",
        "field": FIELDS[field_no - 1],
        "content": f"Sắp xếp lại {topic}: mỗi tổ ghi một lần, đối chiếu cuối ca, "
                   f"không chép tay hai lần (đề xuất số {round_no} của {person.name}).",
        "effect": f"Tiết kiệm khoảng {rng.randint(5, 60)} phút mỗi ngày cho tổ.",
        "benefit_vnd": millions * 1_000_000,
    }
    answers = ["/sangkien", expected["title"], str(field_no), expected["content"],
               expected["effect"], f"{millions} triệu", "1"]
    return answers, expected


async def member_loop(world: World, person: Person, running: Callable[[], bool]) -> None:
    """Register initiatives one after another while the run lasts (an unfinished one is left)."""
    round_no = 0
    await asyncio.sleep(world.rng.uniform(0, 5))
    while running():
        round_no += 1
        answers, expected = registration(person, round_no, world.rng)
        for text in answers:
            if not running():
                return
            await world.say(person, text)
        world.truth.initiatives.append(expected)


async def officer_loop(world: World, officer: Person, queue: Callable[[], Any],
                       running: Callable[[], bool]) -> None:
    """Approve submitted initiatives of the officer's unit, one at a time: /duyet SK-…, then 1."""
    await asyncio.sleep(world.rng.uniform(2, 6))
    while running():
        number = await queue()
        if number is None:
            await asyncio.sleep(world.rng.uniform(2, 4))
            continue
        await world.say(officer, f"/duyet {number}")
        if not running():
            return  # the review is open but undecided: nothing is expected of it
        await world.say(officer, "1")
        world.truth.approved.append(number)


def median_ms(values: list[float]) -> float:
    return 1000 * statistics.median(values) if values else 0.0

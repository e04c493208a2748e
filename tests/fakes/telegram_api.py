"""A stateful fake Telegram Bot API on 127.0.0.1 (port 0), for the real python-telegram-bot.

Speaks `/bot<TOKEN>/<method>` (case-insensitive) with JSON, form and multipart bodies (PTB sends
non-string fields JSON-encoded in forms), the real `{ok, result}` envelopes and HTTP statuses.
Fault switches: 429 + retry_after, 5xx, slow replies, blocked users, unknown chats, migration,
answers lost after the message was delivered (the connection dropped), and optional flood-limit
enforcement (tests/fakes/telegram_rules.py). Files people send are served by getFile and
`/file/bot<TOKEN>/<file_path>` (tests/fakes/telegram_files.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web

from tests.fakes.telegram_files import FilesMixin, StoredBlob
from tests.fakes.telegram_methods import MethodsMixin
from tests.fakes.telegram_rules import FloodControl, FloodLimits

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnopq"
# Parameters PTB sends as plain strings; every other form field is JSON-encoded.
STRING_FIELDS = frozenset({"text", "caption", "parse_mode", "url", "secret_token", "ip_address",
                           "callback_query_id", "inline_message_id", "language_code",
                           "description", "short_description", "name", "title"})


class ApiError(Exception):
    """An error answer: HTTP status, description and optional `parameters`."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Fault:
    """A scripted failure for the next matching call(s)."""

    method: str
    status: int
    description: str
    chat_id: int | None = None
    count: int = 1
    parameters: dict[str, Any] = field(default_factory=dict)
    after: int = 0
    """How many matching calls succeed before the fault starts."""


@dataclass
class Upload:
    """A file received by sendPhoto or sendDocument."""

    filename: str
    size: int


@dataclass
class Sent:
    """A message the bot sent, as the user sees it."""

    chat_id: int
    message_id: int
    method: str
    text: str
    html: str
    params: dict[str, Any]
    file: Upload | None = None

    @property
    def markup(self) -> dict[str, Any]:
        return self.params.get("reply_markup") or {}

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for row in self.markup.get("inline_keyboard", []) for b in row]

    @property
    def contact_button(self) -> bool:
        rows = self.markup.get("keyboard", [])
        return any(b.get("request_contact") for row in rows for b in row)


@dataclass
class Webhook:
    url: str
    secret: str
    allowed_updates: list[str]


class FakeTelegram(MethodsMixin, FilesMixin):
    """The fake server and its state; tests drive it and read what the bot sent."""

    def __init__(self, *, token: str = TOKEN, username: str = "fake_bot", bot_id: int = 7000001,
                 flood: FloodLimits | None = None, seed: int = 1) -> None:
        self.token, self.username, self.bot_id = token, username, bot_id
        self.flood = FloodControl(flood) if flood else None
        self.rng = random.Random(seed)
        self.chats: dict[int, dict[str, Any]] = {}
        self.files: dict[str, StoredBlob] = {}
        self.queue: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self.by_chat: dict[int, list[Sent]] = {}
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        self.webhook: Webhook | None = None
        self.allowed_updates: list[str] = []
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.error_rate = 0.0
        self.delay = 0.0
        self.errors: dict[int, int] = {}
        self.lose_answers = 0
        """The next this many sends are delivered, then the connection drops with no answer."""
        self._update_ids = itertools.count(100001)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._read: dict[int, int] = {}
        self._changed = asyncio.Condition()  # the update queue, for long polls
        self._arrived: dict[int, asyncio.Event] = {}  # a message for a chat, for readers
        self._poller: object | None = None
        self.polls_waiting = 0
        """Long polls (getUpdates) waiting for an update right now."""
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server --------------------------------------------------------------------------------

    async def start(self, *, port: int = 0,
                    routes: Callable[[web.Application], None] | None = None) -> FakeTelegram:
        server = web.Application(client_max_size=60 * 1024 * 1024)
        server.router.add_route("*", "/bot{token}/{method}", self._route)
        server.router.add_get("/file/bot{token}/{path:.+}", self._download)
        if routes is not None:
            routes(server)  # e.g. a benchmark's statistics route
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        async with self._changed:
            self._poller = None
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _route(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"].lower()
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return _error(ApiError(404, "Not Found"))
        params, files = await _read_params(request)
        self.calls.append((method, params, time.monotonic()))
        try:
            self._injected_fault(method, params)
            if self.delay:
                await asyncio.sleep(self.delay)
            result = await handler(params, files)
        except ApiError as exc:
            self.errors[exc.status] = self.errors.get(exc.status, 0) + 1
            return _error(exc)
        if method.startswith("send") and self.lose_answers > 0 and request.transport is not None:
            # Delivered, but the answer never reaches the bot (a network cut, a proxy time-out).
            self.lose_answers -= 1
            request.transport.close()
        return web.json_response({"ok": True, "result": result})

    def _injected_fault(self, method: str, params: dict[str, Any]) -> None:
        for fault in self.faults:
            if fault.method.lower() == method and fault.chat_id in (None, params.get("chat_id")):
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                raise ApiError(fault.status, fault.description, **fault.parameters)
        if method.startswith("send") and self.error_rate and self.rng.random() < self.error_rate:
            raise ApiError(502, "Bad Gateway")

    # -- fault switches ------------------------------------------------------------------------

    def fail_next(self, method: str = "sendMessage", *, status: int = 502, description: str = "",
                  chat_id: int | None = None, count: int = 1, after: int = 0,
                  **parameters: Any) -> None:
        """Make `count` calls of `method` (to `chat_id`, if given) fail, after `after` pass."""
        text = description or {429: f"Too Many Requests: retry after {parameters.get('retry_after')}",
                               502: "Bad Gateway", 500: "Internal Server Error"}.get(status, "Error")
        self.faults.append(Fault(method, status, text, chat_id, count, parameters, after))

    def rate_limit_next(self, retry_after: int, *, chat_id: int | None = None) -> None:
        """Answer the next sendMessage with 429 and `parameters.retry_after`."""
        self.fail_next(status=429, chat_id=chat_id, retry_after=retry_after)

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends to them get 403."""
        self.blocked.add(user_id)

    def forget_chat(self, chat_id: int) -> None:
        """Sends to this chat get 400 "chat not found"."""
        self.chats.pop(chat_id, None)

    def add_chat(self, chat_id: int, *, kind: str = "private", title: str = "",
                 first_name: str = "") -> dict[str, Any]:
        """Make a chat known to the fake (a user who pressed Start, a group with the bot)."""
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        chat |= {"title": title or f"Group {chat_id}"} if kind != "private" else {
            "first_name": first_name or f"User {chat_id}"}
        self.chats.setdefault(chat_id, chat)
        return self.chats[chat_id]

    # -- updates -------------------------------------------------------------------------------

    def new_update(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Build an update of `kind` (message, callback_query, my_chat_member, ...) with a new id."""
        return {"update_id": next(self._update_ids), kind: body}

    def message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    async def deliver(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """Give the bot an update: POST it to the webhook (return the status) or queue it (0)."""
        if self.webhook is not None:
            return await self.post_webhook(update, secret=secret)
        async with self._changed:
            self.queue.append(update)
            self._changed.notify_all()
        return 0

    async def post_webhook(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """POST one update to the webhook with the secret header, as Telegram does."""
        assert self.webhook is not None, "no webhook is set"
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook.secret if secret is None
                   else secret}
        async with ClientSession() as http, http.post(self.webhook.url, json=update,
                                                      headers=headers) as response:
            return response.status

    def pending_updates(self) -> int:
        return len(self.queue)

    async def wait_for_poll(self, wait: float = 10) -> None:
        """Wait until the bot's long poll is waiting here (an update sent now goes to it)."""
        deadline = time.monotonic() + wait
        while not self.polls_waiting:
            assert time.monotonic() < deadline, "the bot never polled"
            await asyncio.sleep(0.01)

    async def wait_until_confirmed(self, wait: float = 10) -> None:
        """Wait until the bot confirmed (offset past) every queued update."""
        deadline = time.monotonic() + wait
        while self.queue:
            assert time.monotonic() < deadline, f"updates never confirmed: {self.queue[:2]}"
            await asyncio.sleep(0.02)

    # -- reading what the bot sent -------------------------------------------------------------

    async def next_message(self, chat_id: int, *, wait: float = 10) -> Sent:
        """Return the oldest unread message in a chat, waiting for it."""
        deadline = time.monotonic() + wait
        while not self.unread(chat_id):
            left = deadline - time.monotonic()
            assert left > 0, f"no message arrived in chat {chat_id}"
            arrived = self._arrived.setdefault(chat_id, asyncio.Event())
            arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), left)
        self._read[chat_id] = self._read.get(chat_id, 0) + 1
        return self.by_chat[chat_id][self._read[chat_id] - 1]

    def unread_all(self, chat_id: int) -> list[Sent]:
        return self.by_chat.get(chat_id, [])

    def unread(self, chat_id: int) -> list[Sent]:
        return self.unread_all(chat_id)[self._read.get(chat_id, 0):]

    def assert_all_read(self) -> None:
        left = {c: [m.text[:60] for m in self.unread(c)] for c in self.by_chat}
        left = {c: texts for c, texts in left.items() if texts}
        assert not left, f"messages left unread: {left}"

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params, _ in self.calls if name == method.lower()]

    def call_times(self, method: str) -> list[float]:
        return [at for name, _, at in self.calls if name == method.lower()]

    def _arrive(self, sent: Sent) -> None:
        self.sent.append(sent)
        self.by_chat.setdefault(sent.chat_id, []).append(sent)
        if sent.chat_id in self._arrived:
            self._arrived[sent.chat_id].set()


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json":
        params |= await request.json()
        return params, files
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = Upload(value.filename, len(value.file.read()))
            else:
                params[key] = value
    return {k: _decode(k, v) for k, v in params.items()}, files


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id "@channelname"


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return web.json_response(body, status=exc.status)

"""A fake Zalo Bot API server (spec §9): aiohttp on 127.0.0.1, port 0, stateful.

Routes `/bot<TOKEN>/<method>` with case-sensitive names and the `{ok, result}` envelope;
getUpdates hands out one queued update per call (no offset) or answers HTTP 408 after an idle wait;
a wrong token gets 401; sendMessage checks 1 to 2,000 characters and can be switched to
429 "Quota exceeded". Also serves images for download tests, and drives webhooks.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from handlers.types import utf16_len

TOKEN = "1234567890:fake-zalo-secret-token-abcdef"
Json = dict[str, Any]


def ok(result: Any = None) -> web.Response:
    body: Json = {"ok": True} if result is None else {"ok": True, "result": result}
    return web.json_response(body)


def error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description},
                             status=code)


@dataclass
class Sent:
    """A message the bot sent."""

    chat_id: str
    text: str
    parse_mode: str | None
    message_id: str


@dataclass
class FakeZalo:
    """The server and its state; tests read `sent`, `calls`, and push updates."""

    token: str = TOKEN
    idle_timeout: float = 0.3
    quota_exceeded: bool = False
    fail_next: deque[int] = field(default_factory=deque)
    send_script: deque[int | None] = field(default_factory=deque)
    """Per sendMessage call: None lets it through, a code fails it (after the checks)."""
    lose_answers: int = 0
    """The next this many sendMessage calls are delivered, then the connection drops unanswered."""
    updates: deque[Json] = field(default_factory=deque)
    sent: list[Sent] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    webhook: Json | None = None
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    read: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    base_url: str = ""
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition | None = None

    async def start(self) -> str:
        """Serve on 127.0.0.1 at a free port; return the base URL (no /bot part)."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/{bot}/{method}", self._api)
        app.router.add_get("/media/{name}", self._media)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def push(self, update: Json) -> None:
        """Queue one update (an event, enveloped or bare) for getUpdates."""
        self.updates.append(update)
        await self._notify()

    def add_image(self, name: str, data: bytes, content_type: str = "image/jpeg") -> str:
        """Serve `data` at /media/<name>; return its URL."""
        self.media[name] = (data, content_type)
        return f"{self.base_url}/media/{name}"

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        bot, method = request.match_info["bot"], request.match_info["method"]
        if bot != f"bot{self.token}":
            return error(401, "Unauthorized")
        self.calls[method] += 1
        handler = self._methods().get(method)  # names are case-sensitive, unlike Telegram's
        if handler is None:
            return error(404, "Not Found")
        if self.fail_next:
            code = self.fail_next.popleft()
            return error(code, "Injected failure")
        try:
            params = await request.json() if await request.read() else {}
        except ValueError:
            return error(400, "Bad Request")
        return await handler(request, params)

    def _methods(self) -> dict[str, Callable[[web.Request, Json], Awaitable[web.Response]]]:
        return {"getMe": self._get_me, "getUpdates": self._get_updates,
                "sendMessage": self._send_message, "sendChatAction": self._chat_action,
                "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._webhook_info}

    async def _get_me(self, _request: web.Request, _params: Json) -> web.Response:
        return ok({"id": "7301", "account_name": "Bot CongDoan", "account_type": "BASIC",
                   "can_join_groups": True})

    async def _get_updates(self, request: web.Request, _params: Json) -> web.Response:
        if self.webhook is not None:
            return error(400, "Webhook is set; delete it to use getUpdates")
        assert self._changed is not None
        deadline = time.monotonic() + self.idle_timeout
        async with self._changed:
            while not self.updates:
                left = deadline - time.monotonic()
                if left <= 0:
                    return error(408, "Request timeout")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    return error(408, "Request timeout")
            update = self.updates.popleft()
        if request.transport is None or request.transport.is_closing():
            # The poller went away (a stop): keep the update for the next one, so tests are exact.
            self.updates.appendleft(update)
            return error(408, "Request timeout")
        return ok(update.get("result", update))

    async def _send_message(self, request: web.Request, params: Json) -> web.Response:
        text, chat_id = params.get("text"), params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            return error(400, "Bad Request: chat_id")
        if not isinstance(text, str) or not 1 <= utf16_len(text) <= 2000:
            return error(400, "Bad Request: text must be 1 to 2000 characters")
        mode = params.get("parse_mode")
        if mode is not None and mode not in ("markdown", "html"):
            return error(400, "Bad Request: parse_mode")
        if self.quota_exceeded:
            return error(429, "Quota exceeded")
        if self.send_script and (code := self.send_script.popleft()) is not None:
            return error(code, "Injected failure")
        message_id = secrets.token_hex(10)
        self.sent.append(Sent(chat_id, text, mode, message_id))
        await self._notify()
        if self.lose_answers > 0 and request.transport is not None:
            # Delivered, but the answer never reaches the bot (a network cut, a proxy time-out).
            self.lose_answers -= 1
            request.transport.close()
        return ok({"message_id": message_id, "date": int(time.time() * 1000)})

    async def _chat_action(self, _request: web.Request, _params: Json) -> web.Response:
        return ok()

    async def _set_webhook(self, _request: web.Request, params: Json) -> web.Response:
        url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
        if not url.startswith("https://") or not 8 <= len(secret) <= 256:
            return error(400, "Bad Request: url must be https and secret_token 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": int(time.time() * 1000)}
        return ok({"url": url, "updated_at": self.webhook["updated_at"]})

    async def _delete_webhook(self, _request: web.Request, _params: Json) -> web.Response:
        self.webhook = None
        return ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _webhook_info(self, _request: web.Request, _params: Json) -> web.Response:
        if self.webhook is None:
            return error(404, "Not Found")
        return ok({"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]})

    async def _media(self, request: web.Request) -> web.Response:
        found = self.media.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[0], content_type=found[1])

    # What the bot sent, read like a queue: a message left unread fails the test (assert_all_read).

    def to_chat(self, chat_id: str) -> list[Sent]:
        return [m for m in self.sent if m.chat_id == chat_id]

    async def next_message(self, chat_id: str, within: float = 10.0) -> Sent:
        """Return the oldest unread message to `chat_id`, waiting for it if needed."""
        assert self._changed is not None
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.to_chat(chat_id)) > self.read[chat_id])
        message = self.to_chat(chat_id)[self.read[chat_id]]
        self.read[chat_id] += 1
        return message

    async def wait_sent(self, count: int, within: float = 60.0) -> None:
        """Wait until the bot has sent at least `count` messages in all."""
        assert self._changed is not None
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.sent) >= count)

    def unread(self, chat_id: str) -> list[Sent]:
        return self.to_chat(chat_id)[self.read[chat_id]:]

    def assert_all_read(self) -> None:
        left = {m.chat_id: [x.text[:60] for x in self.unread(m.chat_id)] for m in self.sent}
        left = {chat: texts for chat, texts in left.items() if texts}
        assert not left, f"messages left unread: {left}"


@dataclass
class WebhookDriver:
    """POSTs events to the bot's webhook as Zalo does, with the secret header."""

    url: str
    secret: str

    async def post(self, body: Json | bytes | None, *, secret: str | None = "default",
                   headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Deliver one event; return the HTTP status and the JSON answer (or None)."""
        sent_headers = dict(headers or {})
        if secret is not None:
            sent_headers["X-Bot-Api-Secret-Token"] = self.secret if secret == "default" else secret
        kwargs: dict[str, Any] = {"json": body} if isinstance(body, dict) else {"data": body or b""}
        async with aiohttp.ClientSession() as http, http.post(self.url, headers=sent_headers,
                                                               **kwargs) as resp:
            try:
                answer = await resp.json(content_type=None)
            except ValueError:
                answer = None
            return resp.status, answer

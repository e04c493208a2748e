"""The Bot API methods the fake answers (getUpdates long polling, webhooks, sending, buttons)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram_rules import EntityError, parse_html, utf16_len

if TYPE_CHECKING:
    from tests.fakes.telegram_api import FakeTelegram, Sent, Upload

MAX_TEXT = 4096
MAX_CAPTION = 1024


def _api_error(status: int, description: str, **parameters: Any) -> Exception:
    from tests.fakes.telegram_api import ApiError

    return ApiError(status, description, **parameters)


class MethodsMixin:
    """`api_<method>` handlers; each returns the `result` of the envelope or raises ApiError."""

    async def api_getme(self: FakeTelegram, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Fake", "username": self.username,
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def api_getupdates(self: FakeTelegram, params: dict[str, Any], files: Any) -> list[Any]:
        if self.webhook is not None:
            raise _api_error(409, "Conflict: can't use getUpdates method while webhook is active; "
                                  "use deleteWebhook to delete it first")
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"])
        me = object()
        async with self._changed:
            self._confirm(params.get("offset"))
            self._poller = me  # a newer poller terminates the one waiting now
            self._changed.notify_all()
            deadline = time.monotonic() + float(params.get("timeout") or 0)
            self.polls_waiting += 1
            try:
                while not self._ready() and self._poller is me and time.monotonic() < deadline:
                    try:
                        await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                    except TimeoutError:
                        break
            finally:
                self.polls_waiting -= 1
            if self._poller is not me:
                raise _api_error(409, "Conflict: terminated by other getUpdates request; make sure "
                                      "that only one bot instance is running")
            return self._ready()[: int(params.get("limit") or 100)]

    def _confirm(self: FakeTelegram, offset: int | None) -> None:
        if offset:
            self.queue[:] = [u for u in self.queue if u["update_id"] >= offset]

    def _ready(self: FakeTelegram) -> list[dict[str, Any]]:
        if not self.allowed_updates:
            return list(self.queue)
        return [u for u in self.queue if any(k in u for k in self.allowed_updates)]

    async def api_setwebhook(self: FakeTelegram, params: dict[str, Any], files: Any) -> bool:
        from tests.fakes.telegram_api import Webhook

        url = params.get("url", "")
        if not url:
            self.webhook = None
            return True
        self.webhook = Webhook(url, params.get("secret_token", ""),
                               list(params.get("allowed_updates") or []))
        if params.get("drop_pending_updates"):
            self.queue.clear()
        return True

    async def api_deletewebhook(self: FakeTelegram, params: dict[str, Any], files: Any) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.queue.clear()
        return True

    async def api_getwebhookinfo(self: FakeTelegram, params: dict[str, Any],
                                 files: Any) -> dict[str, Any]:
        hook = self.webhook
        return {"url": hook.url if hook else "", "has_custom_certificate": False,
                "pending_update_count": len(self.queue)}

    async def api_setmycommands(self: FakeTelegram, params: dict[str, Any], files: Any) -> bool:
        for command in params.get("commands", []):
            if not 1 <= len(command["command"]) <= 32 or not 1 <= len(command["description"]) <= 256:
                raise _api_error(400, "Bad Request: BOT_COMMAND_INVALID")
        return True

    async def api_sendchataction(self: FakeTelegram, params: dict[str, Any], files: Any) -> bool:
        self._target(params)
        return True

    async def api_sendmessage(self: FakeTelegram, params: dict[str, Any],
                              files: Any) -> dict[str, Any]:
        chat = self._target(params)
        text = params.get("text", "")
        plain = _visible(text, params.get("parse_mode"))
        if not plain.strip():
            raise _api_error(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise _api_error(400, "Bad Request: message is too long")
        _check_markup(params.get("reply_markup"))
        self._flood(chat)
        return await self._record(chat, "sendMessage", params, text=text, plain=plain)

    async def api_sendphoto(self: FakeTelegram, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return await self._send_file("photo", params, files)

    async def api_senddocument(self: FakeTelegram, params: dict[str, Any],
                               files: Any) -> dict[str, Any]:
        return await self._send_file("document", params, files)

    async def _send_file(self: FakeTelegram, kind: str, params: dict[str, Any],
                         files: dict[str, Upload]) -> dict[str, Any]:
        chat = self._target(params)
        upload = files.get(kind)
        if upload is None or upload.size == 0:
            raise _api_error(400, f"Bad Request: there is no {kind} in the request")
        caption = params.get("caption", "")
        plain = _visible(caption, params.get("parse_mode")) if caption else ""
        if utf16_len(plain) > MAX_CAPTION:
            raise _api_error(400, "Bad Request: message caption is too long")
        self._flood(chat)
        return await self._record(chat, f"send{kind.title()}", params, text=caption, plain=plain,
                                  file=upload)

    async def api_answercallbackquery(self: FakeTelegram, params: dict[str, Any],
                                      files: Any) -> bool:
        if len(params.get("text", "")) > 200:
            raise _api_error(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def api_editmessagereplymarkup(self: FakeTelegram, params: dict[str, Any],
                                         files: Any) -> dict[str, Any]:
        chat = self._target(params)
        for sent in self.by_chat.get(chat["id"], []):
            if sent.message_id == params.get("message_id"):
                sent.params["reply_markup"] = params.get("reply_markup")
                return _message(sent, chat, self)
        raise _api_error(400, "Bad Request: message to edit not found")

    def _target(self: FakeTelegram, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id in self.migrated:
            raise _api_error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                             migrate_to_chat_id=self.migrated[chat_id])
        if chat_id in self.blocked:
            raise _api_error(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.chats:
            raise _api_error(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _flood(self: FakeTelegram, chat: dict[str, Any]) -> None:
        if self.flood is None:
            return
        retry_after = self.flood.check(chat["id"], is_group=chat["type"] != "private")
        if retry_after:
            raise _api_error(429, f"Too Many Requests: retry after {retry_after}",
                             retry_after=retry_after)

    async def _record(self: FakeTelegram, chat: dict[str, Any], method: str,
                      params: dict[str, Any], *, text: str, plain: str,
                      file: Upload | None = None) -> dict[str, Any]:
        from tests.fakes.telegram_api import Sent

        sent = Sent(chat["id"], self.message_id(chat["id"]), method, plain, text, params, file)
        self._arrive(sent)
        return _message(sent, chat, self)


def _visible(text: str, parse_mode: str | None) -> str:
    if (parse_mode or "").upper() != "HTML":
        return text
    try:
        return parse_html(text)
    except EntityError as exc:
        raise _api_error(400, f"Bad Request: can't parse entities: {exc}") from exc


def _check_markup(markup: dict[str, Any] | None) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise _api_error(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise _api_error(400, "Bad Request: text buttons are unallowed in the inline keyboard")


def _message(sent: Sent, chat: dict[str, Any], fake: FakeTelegram) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": sent.message_id, "date": int(time.time()), "chat": chat,
                            "from": {"id": fake.bot_id, "is_bot": True, "first_name": "Fake",
                                     "username": fake.username}}
    if sent.file is not None and sent.method == "sendPhoto":
        body["photo"] = [{"file_id": f"ph{sent.message_id}", "file_unique_id": f"u{sent.message_id}",
                          "width": 800, "height": 600}]
    elif sent.file is not None:
        body["document"] = {"file_id": f"doc{sent.message_id}",
                            "file_unique_id": f"u{sent.message_id}", "file_name": sent.file.filename}
    if sent.file is not None and sent.html:
        body["caption"] = sent.text
    elif sent.file is None:
        body["text"] = sent.text
    if (sent.params.get("reply_markup") or {}).get("inline_keyboard"):
        body["reply_markup"] = sent.params["reply_markup"]
    return body

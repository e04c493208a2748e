"""A thin Zalo Bot API client on aiohttp: POST JSON to `<base_url>/bot<TOKEN>/<method>`.

The token sits in the URL path, so no URL, and no library error text that may hold one, ever
reaches a log line or an exception message here. Method names are case-sensitive (spec §1).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class ZaloError(Exception):
    """The API refused a call (`ok` false); the message names the method, never the URL."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Zalo {method}: {code} {description}")
        self.method, self.code, self.description = method, code, description


class Unauthorized(ZaloError):
    """401: the token is invalid or was reset in Bot Creator. Fatal for polling."""


class NotFound(ZaloError):
    """404: e.g. getWebhookInfo on a bot with no webhook (spec §2)."""


class PollTimeout(ZaloError):
    """408: a long poll ended with no update. The normal idle case, not an error (spec §2)."""


class QuotaExceeded(ZaloError):
    """429 "Quota exceeded": the plan's message quota ran out; no retry_after is given."""


class ZaloUnavailable(Exception):
    """The API could not be reached or answered nonsense (connection, time-out, not JSON)."""


class AnswerLost(ZaloUnavailable):
    """The request was sent but no (whole) answer came: Zalo may have acted on it."""


ERRORS: dict[int, type[ZaloError]] = {401: Unauthorized, 404: NotFound, 408: PollTimeout,
                                      429: QuotaExceeded}


class ZaloClient:
    """Calls Zalo Bot API methods; one aiohttp session, created on first use."""

    def __init__(self, *, base_url: str, token: str, request_timeout: float = 20.0,
                 connect_timeout: float = 10.0) -> None:
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._token = token
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   read_timeout: float | None = None) -> Any:
        """Call `method` with a JSON body; return `result` or raise ZaloError / ZaloUnavailable.

        `AnswerLost` (a ZaloUnavailable) when the request was sent but its answer never came.
        """
        # Separate time-outs tell a request that never left (connect) from a lost answer (read).
        timeout = aiohttp.ClientTimeout(total=None, connect=self.connect_timeout,
                                        sock_connect=self.connect_timeout,
                                        sock_read=read_timeout or self.request_timeout)
        try:
            async with self._http().post(self._prefix + method, json=params or {},
                                         timeout=timeout) as resp:
                status = resp.status
                body = await self._json(resp)
        except (aiohttp.SocketTimeoutError, aiohttp.ServerDisconnectedError,
                aiohttp.ClientPayloadError) as exc:
            # The library's message may contain the URL, and so the token: keep only the type.
            raise AnswerLost(f"Zalo {method}: no answer after the request was sent "
                             f"({type(exc).__name__})") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ZaloUnavailable(f"Zalo {method}: {type(exc).__name__}") from None
        return self._result(method, status, body)

    def _result(self, method: str, status: int, body: Any) -> Any:
        # `ok` first, then `error_code`, and the HTTP status only as a fallback (spec §2).
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        if not isinstance(body, dict):
            raise ZaloUnavailable(f"Zalo {method}: HTTP {status}, not a JSON object")
        code = body.get("error_code") or body.get("errorCode") or 0
        if not isinstance(code, int) or code == 0:
            code = status if status >= 400 else 500
        description = str(body.get("description") or "").replace(self._token, "***")[:200]
        raise ERRORS.get(code, ZaloError)(method, code, description)

    @staticmethod
    async def _json(resp: aiohttp.ClientResponse) -> Any:
        try:
            return await resp.json(content_type=None)
        except ValueError:
            return None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_me(self) -> dict[str, Any]:
        """Return the bot's own account: id, account_name, account_type, can_join_groups."""
        return await self.call("getMe") or {}

    async def get_updates(self, *, wait: int) -> dict[str, Any] | None:
        """Long-poll up to `wait` seconds for one update (an object, not a list); PollTimeout when idle.

        The read time-out is `wait` plus 10 seconds (spec §5).
        """
        result = await self.call("getUpdates", {"timeout": str(wait)}, read_timeout=wait + 10)
        return result if isinstance(result, dict) else None

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """Send plain text (never parse_mode: user content must not turn into markup)."""
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text}) or {}

    async def get_webhook_info(self) -> dict[str, Any] | None:
        """Return `{url, updated_at}`, or None when no webhook is set (the API answers 404)."""
        try:
            return await self.call("getWebhookInfo") or {}
        except NotFound:
            return None

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        """Point the bot's webhook at `url`; Zalo sends `secret_token` in X-Bot-Api-Secret-Token."""
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token}) or {}

    async def delete_webhook(self) -> dict[str, Any]:
        """Remove the webhook (needed before getUpdates works again)."""
        return await self.call("deleteWebhook") or {}

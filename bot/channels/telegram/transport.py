"""python-telegram-bot's HTTP transport on aiohttp (PTB's own `BaseRequest` extension point).

PTB's default transport is httpx; aiohttp already serves our web server and speaks to Zalo, and
its C parser costs a fraction of httpx's per request (docs/benchmarks.md, issue 14). Everything
above the transport is python-telegram-bot as usual: `Bot` methods, types, error classes.

It also tells apart a call that never reached Telegram (a refused or timed-out connection:
`TimedOut`, safe to try again) from one that did and whose answer never came (`AnswerLost`):
Telegram may have delivered that message, so it must not be sent blindly again.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AnswerLost(NetworkError):
    """The request reached Telegram, but no answer came back (time-out or dropped connection)."""


class AiohttpRequest(BaseRequest):
    """One aiohttp session, `pool_size` connections at most."""

    def __init__(self, *, pool_size: int = 16, connect_timeout: float = 10.0,
                 read_timeout: float = 15.0, write_timeout: float = 15.0,
                 pool_timeout: float = 5.0) -> None:
        self.pool_size = pool_size
        self.timeouts = {"connect": connect_timeout, "read": read_timeout,
                         "write": write_timeout, "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """Return the default read time-out (PTB adds a long poll's own wait to it)."""
        return self.timeouts["read"]

    async def initialize(self) -> None:
        """Open the HTTP session (PTB calls this through `Bot.initialize`)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body (PTB reads both)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("the Telegram transport is not initialised")
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._pick(pool_timeout, "pool") + self._pick(connect_timeout,
                                                                              "connect"),
            sock_connect=self._pick(connect_timeout, "connect"),
            sock_read=self._longest(read_timeout, write_timeout))
        try:
            async with self._session.request(method, url, data=_body(request_data),
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except (aiohttp.SocketTimeoutError, aiohttp.ServerDisconnectedError,
                aiohttp.ClientPayloadError) as exc:
            # Written, then no (whole) answer: Telegram may have acted on it.
            raise AnswerLost(f"no answer after the request was sent ({type(exc).__name__})") \
                from exc
        except (aiohttp.ConnectionTimeoutError, TimeoutError) as exc:
            raise TimedOut("no connection in time: the request was not sent") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"cannot reach the Bot API ({type(exc).__name__})") from exc

    def _pick(self, given: Any, name: str) -> float:
        value = self.timeouts[name] if isinstance(given, DefaultValue) else given
        return float(value) if value is not None else 3600.0

    def _longest(self, read: Any, write: Any) -> float:
        # aiohttp has one socket time-out for the whole exchange once connected.
        return max(self._pick(read, "read"), self._pick(write, "write"))


def _body(request_data: RequestData | None) -> Any:
    """Form fields as PTB encodes them; a multipart form when files are uploaded."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form


__all__ = ["AiohttpRequest", "AnswerLost"]

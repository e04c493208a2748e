"""The Zalo webhook route on the one aiohttp server (spec §6).

Order: secret compared in constant time (403, nothing read or stored) → body cap → parse →
handle (commit and send) → 200. Duplicates are dropped by the core's claim on the message id.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.channels.webhook_body import parse_json, read_capped

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
Handler = Callable[[web.Request], Awaitable[web.Response]]


def make_handler(*, secret: str, max_bytes: int,
                 process: Callable[[Any], Awaitable[None]]) -> Handler:
    """Build the POST handler; `process(body)` handles one parsed event and returns when done."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            log.warning("Zalo webhook call rejected: %s secret", "wrong" if given else "missing")
            return web.json_response({"message": "Forbidden"}, status=403)
        raw = await read_capped(request, max_bytes)
        if raw is None:
            log.warning("Zalo webhook body over %d bytes rejected", max_bytes)
            return web.json_response({"message": "Payload too large"}, status=413)
        if not raw.strip():
            return web.json_response({"message": "Success"})  # a probe with no body (spec §6)
        try:
            body = parse_json(raw)
        except ValueError:
            log.warning("Zalo webhook body is not JSON (%d bytes)", len(raw))
            return web.json_response({"message": "Bad request"}, status=400)
        try:
            await process(body)
        except Exception:
            # Nothing was kept (a database that stays unavailable): Zalo may deliver it again.
            log.exception("Zalo webhook event not handled; answered 500")
            return web.json_response({"message": "Try again later"}, status=500)
        return web.json_response({"message": "Success"})

    return receive


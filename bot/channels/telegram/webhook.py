"""The webhook route on the one aiohttp server: secret checked first, 200 only once committed."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Bot, Update

from bot.channels.webhook_body import parse_json, read_capped

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY_BYTES = 256 * 1024
"""An update is a few kilobytes at most (4096 characters of text plus entities)."""


def handler(*, bot: Bot, secret: str,
            process: Callable[[Update], Awaitable[None]]) -> Callable[[web.Request],
                                                                      Awaitable[web.Response]]:
    """Return the aiohttp handler for Telegram's POSTs."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            log.warning("telegram webhook: wrong or missing secret token from %s", request.remote)
            return web.Response(status=403)
        update = await _read_update(request, bot)
        if isinstance(update, web.Response):
            return update
        try:
            await process(update)
        except Exception:
            # Not acknowledged, so Telegram delivers it again later; nothing was committed.
            log.exception("telegram webhook: update %s failed", update.update_id)
            return web.Response(status=500)
        return web.Response(status=200)

    return receive


async def _read_update(request: web.Request, bot: Bot) -> Update | web.Response:
    body = await read_capped(request, MAX_BODY_BYTES)
    if body is None:
        return web.Response(status=413)
    try:
        data = parse_json(body)
        update = Update.de_json(data, bot) if isinstance(data, dict) else None
    except Exception as exc:
        # Untrusted input, and PTB's parser raises many kinds (AttributeError on a number where
        # an object belongs): a body that is not an update is refused, never a 500.
        log.warning("telegram webhook: unreadable update (%s)", type(exc).__name__)
        return web.Response(status=400)
    if update is None:
        return web.Response(status=400)
    return update

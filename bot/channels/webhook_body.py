"""Reading and parsing a webhook's request body (size cap, JSON), for every platform's route."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

READ_SIZE = 65_536


async def read_capped(request: web.Request, max_bytes: int) -> bytes | None:
    """Return the whole body, or None as soon as it is known to exceed `max_bytes`.

    One `read(n)` returns only what has arrived so far: a body that reaches us in several
    pieces (a slow link, a proxy, a chunked body with no Content-Length) is read until EOF.
    """
    if (request.content_length or 0) > max_bytes:
        return None
    data = bytearray()
    while chunk := await request.content.read(READ_SIZE):
        data += chunk
        if len(data) > max_bytes:
            return None
    return bytes(data)


def parse_json(raw: bytes) -> Any:
    """Parse an untrusted body as JSON.

    Raises:
        ValueError: for anything `json` cannot parse, including nesting too deep for it
            (`[` * 100_000 under the size cap raises RecursionError, not ValueError).
    """
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc

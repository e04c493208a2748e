"""Reading a webhook's request body under a size cap, for every platform's webhook route."""

from __future__ import annotations

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

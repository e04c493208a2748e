"""A bare HTTP/1.1 POST over a socket, for tests that decide how a body's bytes arrive.

HTTP clients write a body in one go; a real network (a proxy, a slow link) may deliver it in
pieces with pauses between them, or chunked with no Content-Length.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from yarl import URL


async def post_in_parts(url: str, parts: Sequence[bytes], *, headers: dict[str, str],
                        pause: float = 0.5, chunked: bool = False) -> int:
    """POST `parts` one after another, `pause` seconds apart; return the answer's status.

    With `chunked`, each part is one chunk of a `Transfer-Encoding: chunked` body (no
    Content-Length); otherwise the Content-Length announces the whole body up front.
    """
    target = URL(url)
    reader, writer = await asyncio.open_connection(target.host, target.port)
    try:
        framing = ({"Transfer-Encoding": "chunked"} if chunked
                   else {"Content-Length": str(sum(map(len, parts)))})
        lines = [f"POST {target.raw_path_qs} HTTP/1.1", f"Host: {target.host}:{target.port}",
                 "Connection: close", *(f"{k}: {v}" for k, v in (headers | framing).items())]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        for number, part in enumerate(parts):
            if number:
                await asyncio.sleep(pause)
            writer.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
        await writer.wait_closed()
    return int(status_line.split()[1])

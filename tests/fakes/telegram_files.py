"""Files on the fake Bot API: what people send (photos, documents), getFile and the download route.

As on Telegram: `getFile` answers a File with a `file_path` (400 "file is too big" past 20 MB),
and `GET /file/bot<TOKEN>/<file_path>` serves the bytes.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.telegram_api import FakeTelegram

DOWNLOAD_LIMIT = 20 * 1024 * 1024
"""Bot API: "bots can download files of up to 20MB in size"."""
_ids = itertools.count(1)


@dataclass
class StoredBlob:
    """A file someone sent, as the fake keeps it."""

    file_id: str
    unique_id: str
    file_path: str
    data: bytes
    size: int


class FilesMixin:
    """`add_file`, `api_getfile` and the download route of FakeTelegram."""

    def add_file(self: FakeTelegram, data: bytes, *, folder: str = "documents",
                 name: str = "file", size: int | None = None) -> StoredBlob:
        """Keep a file a user sends; `size` claims another size (a huge file without the bytes)."""
        number = next(_ids)
        suffix = name.rpartition(".")[2] if "." in name else "bin"
        blob = StoredBlob(f"AgAC{number:06d}file", f"AQAD{number:04d}", f"{folder}/file_{number}.{suffix}",
                          data, len(data) if size is None else size)
        self.files[blob.file_id] = blob
        return blob

    async def api_getfile(self: FakeTelegram, params: dict[str, Any], files: Any) -> dict[str, Any]:
        from tests.fakes.telegram_api import ApiError

        blob = self.files.get(str(params.get("file_id", "")))
        if blob is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if blob.size > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": blob.file_id, "file_unique_id": blob.unique_id, "file_size": blob.size,
                "file_path": blob.file_path}

    async def _download(self: FakeTelegram, request: web.Request) -> web.Response:
        from tests.fakes.telegram_api import ApiError, _error

        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        self.calls.append(("download", {"file_path": path}, time.monotonic()))
        try:
            self._injected_fault("download", {})
        except ApiError as exc:
            return _error(exc)
        blob = next((b for b in self.files.values() if b.file_path == path), None)
        if blob is None:
            return _error(ApiError(404, "Not Found"))
        return web.Response(body=blob.data, content_type="application/octet-stream")

    @property
    def base_file_url(self: FakeTelegram) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

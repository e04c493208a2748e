"""Zalo event payloads: the fixtures in tests/fixtures/zalo (documented shapes), re-addressed."""

from __future__ import annotations

import copy
import json
import secrets
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "zalo"


def fixture(name: str) -> dict[str, Any]:
    """Load one payload as Zalo sends it (`text`, `group_mention`, `image_photo_url`, ...)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def event(name: str, *, user: str, chat: str | None = None, group: bool = False,
          display_name: str = "", message_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """Return fixture `name` from `user` in `chat` (their DM by default), with a fresh message id.

    `fields` replace message fields (`text`, `caption`, `photo_url`, ...); None removes one.
    """
    body = copy.deepcopy(fixture(name))
    inner = body.get("result", body)
    message = inner["message"]
    message["message_id"] = message_id or secrets.token_hex(10)
    message["from"] = {"id": user, "display_name": display_name or f"Người dùng {user[:4]}",
                       "is_bot": False}
    message["chat"] = {"id": chat or user, "chat_type": "GROUP" if group else "PRIVATE"}
    for key, value in fields.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    return body


def text(user: str, words: str, **kwargs: Any) -> dict[str, Any]:
    """A text message in the envelope form."""
    return event("text", user=user, text=words, **kwargs)

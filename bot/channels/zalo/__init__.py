"""The Zalo Bot API channel (bot-api.zaloplatforms.com): a thin aiohttp client and its adapter.

`create(app)` is the factory `bot.runtime.PLATFORMS["zalo"]` points at. See docs/zalo.md.
"""

from __future__ import annotations

from bot.app import App
from bot.channels.zalo.platform import ZaloPlatform


def create(app: App) -> ZaloPlatform:
    """Create the Zalo platform for `app` (no I/O until `start`)."""
    return ZaloPlatform(app)

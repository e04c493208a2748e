"""The Zalo Bot API channel (bot-api.zaloplatforms.com): a thin aiohttp client and its adapter.

`create(port, settings)` is the factory `bot.runtime.PLATFORMS["zalo"]` points at. See docs/zalo.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.channels.zalo.platform import ZaloPlatform
    from bot.channels.zalo.settings import ZaloSettings
    from handlers.port import Port


def create(port: Port, settings: ZaloSettings) -> ZaloPlatform:
    """Create the Zalo platform (no I/O until `start`)."""
    from bot.channels.zalo.platform import ZaloPlatform

    return ZaloPlatform(port, settings)


def __getattr__(name: str) -> Any:
    if name == "ZaloPlatform":
        from bot.channels.zalo.platform import ZaloPlatform

        return ZaloPlatform
    raise AttributeError(name)


__all__ = ["ZaloPlatform", "create"]

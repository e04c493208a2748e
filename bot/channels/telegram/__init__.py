"""Telegram adapter: python-telegram-bot as transport only. Translates; no business rule.

The package imports python-telegram-bot only when a platform or channel is asked for, so the
configuration (which reads `settings`) stays quick to load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.channels.telegram.platform import TelegramPlatform
    from bot.channels.telegram.settings import TelegramSettings
    from handlers.port import Port


def create(port: Port, settings: TelegramSettings) -> TelegramPlatform:
    """Create the Telegram platform for `sangkien run` (see bot.runtime.PLATFORMS)."""
    from bot.channels.telegram.platform import TelegramPlatform

    return TelegramPlatform(port, settings)


def __getattr__(name: str) -> Any:
    if name == "TelegramChannel":
        from bot.channels.telegram.outbound import TelegramChannel

        return TelegramChannel
    if name == "TelegramPlatform":
        from bot.channels.telegram.platform import TelegramPlatform

        return TelegramPlatform
    raise AttributeError(name)


__all__ = ["TelegramChannel", "TelegramPlatform", "create"]

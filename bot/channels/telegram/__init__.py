"""Telegram adapter: python-telegram-bot as transport only. Translates; no business rule."""

from __future__ import annotations

from bot.app import App
from bot.channels.telegram.outbound import TelegramChannel
from bot.channels.telegram.platform import TelegramPlatform


def create(app: App) -> TelegramPlatform:
    """Create the Telegram platform for `sangkien run` (see bot.runtime.PLATFORMS)."""
    return TelegramPlatform(app)


__all__ = ["TelegramChannel", "TelegramPlatform", "create"]

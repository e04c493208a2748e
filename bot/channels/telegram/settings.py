"""The Telegram channel's settings (section `telegram` of config.yaml); the token from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from handlers.settings import Frozen, PacingSettings


class TelegramSettings(Frozen):
    """The Telegram channel; the token comes from SANGKIEN__TELEGRAM__TOKEN."""

    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: str = Field("", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    poll_timeout: int = Field(30, ge=0, le=50)
    bot_username: str = ""
    pacing: PacingSettings = PacingSettings()
    media_dir: str = "data/media"
    # The Bot API's getFile serves files up to 20 MB; a smaller cap keeps the disk in check.
    max_file_bytes: int = Field(10_485_760, ge=1024, le=20_971_520)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> TelegramSettings:
        if self.token and self.mode == "webhook" and not self.webhook_secret:
            raise ValueError("webhook mode needs SANGKIEN__TELEGRAM__WEBHOOK_SECRET")
        return self

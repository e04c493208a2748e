"""The Zalo channel's settings (section `zalo` of config.yaml); the token from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from handlers.settings import Frozen


class ZaloSettings(Frozen):
    """The Zalo Bot API channel; the token comes from SANGKIEN__ZALO__TOKEN."""

    token: str = ""
    base_url: str = "https://bot-api.zaloplatforms.com"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""
    poll_timeout: int = Field(30, ge=1, le=120)
    monthly_quota: int = Field(3000, ge=0)
    bot_name: str = ""
    webhook_path: str = Field("/zalo/webhook", pattern=r"^/[A-Za-z0-9/_-]*$")
    webhook_max_bytes: int = Field(262_144, ge=1024)
    quota_pause_minutes: int = Field(360, ge=0)
    retry_max_seconds: float = Field(60.0, gt=0)
    quota_retry_seconds: float = Field(900.0, gt=0)
    request_timeout: float = Field(20.0, gt=0)
    media_dir: str = "data/media"
    media_hosts: tuple[str, ...] = ("zdn.vn", "zadn.vn", "zaloapp.com", "zapps.me",
                                    "zaloplatforms.com")
    max_image_bytes: int = Field(10_485_760, ge=1024)

    @model_validator(mode="after")
    def _secret_length(self) -> ZaloSettings:
        if self.webhook_secret and not 8 <= len(self.webhook_secret) <= 256:
            raise ValueError("webhook_secret must be 8 to 256 characters (Zalo Bot API)")
        if self.token and self.mode == "webhook" and not self.webhook_secret:
            raise ValueError("webhook mode needs SANGKIEN__ZALO__WEBHOOK_SECRET (8 to 256 characters)")
        return self

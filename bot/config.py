"""Configuration: `config.yaml` plus `SANGKIEN__SECTION__KEY` overrides, parsed once, frozen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from bot.channels.telegram.settings import TelegramSettings
from bot.channels.zalo.settings import ZaloSettings
from handlers.settings import Frozen, OutboxSettings, ProgrammeSettings, ReportSettings
from schedules.settings import SchedulesSettings
from storage.db import DatabaseSettings

ENV_PREFIX = "SANGKIEN__"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "config.yaml"
# Keys that may only come from the environment, never from a file in the repository.
SECRET_KEYS = (("telegram", "token"), ("telegram", "webhook_secret"),
               ("zalo", "token"), ("zalo", "webhook_secret"), ("reports", "card_key"))


class ConfigError(Exception):
    """A bad configuration; the message is one line naming the key."""


class WebSettings(Frozen):
    """The one aiohttp server (webhooks, /healthz, pages)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    public_url: str = ""
    max_body_bytes: int = Field(1_048_576, ge=1024)
    link_minutes: int = Field(10, ge=1, le=1440)
    session_idle_hours: float = Field(12.0, gt=0)
    session_max_days: float = Field(7.0, gt=0)
    cache_seconds: float = Field(30.0, ge=0)

    @model_validator(mode="after")
    def _idle_within_max(self) -> WebSettings:
        if self.session_idle_hours > self.session_max_days * 24:
            raise ValueError("session_idle_hours must not exceed session_max_days")
        return self

    @property
    def base_url(self) -> str:
        """Return where links point: the public URL, else this server's own address."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"


class ConsoleSettings(Frozen):
    """The terminal channel: `auto` runs it when no chat token is configured."""

    enabled: Literal["auto", "always", "never"] = "auto"


class LoggingSettings(Frozen):
    """Log levels: `level` for our code, `libraries` for every other logger (telegram, httpx...).

    Unset, `libraries` is `level` but never below INFO (bot/logs.py says why).
    """

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    libraries: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None


class Config(Frozen):
    """The whole configuration."""

    database: DatabaseSettings
    programme: ProgrammeSettings
    telegram: TelegramSettings = TelegramSettings()
    zalo: ZaloSettings = ZaloSettings()
    web: WebSettings = WebSettings()
    console: ConsoleSettings = ConsoleSettings()
    outbox: OutboxSettings = OutboxSettings()
    schedules: SchedulesSettings = SchedulesSettings()
    reports: ReportSettings = ReportSettings()
    logging: LoggingSettings = LoggingSettings()

    @model_validator(mode="after")
    def _webhook_needs_web_server(self) -> Config:
        for name in ("telegram", "zalo"):
            channel = getattr(self, name)
            if channel.token and channel.mode == "webhook" and not self.web.enabled:
                raise ValueError(f"{name} webhook mode needs the web server (web.enabled: true)")
        return self

    @property
    def chat_tokens(self) -> list[str]:
        """Return the names of the chat platforms that have a token."""
        return [name for name in ("telegram", "zalo") if getattr(self, name).token]

    @property
    def console_wanted(self) -> bool:
        """Tell whether `sangkien run` should run the console channel."""
        mode = self.console.enabled
        return mode == "always" or (mode == "auto" and not self.chat_tokens)


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the YAML file, apply environment overrides and validate; raise ConfigError."""
    env = os.environ if env is None else env
    path = Path(path or env.get("SANGKIEN_CONFIG") or DEFAULT_PATH)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config: {path} is not valid YAML: {_first_line(exc)}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"config: {path} must hold a mapping of sections")
    _refuse_file_secrets(raw)
    _apply_env(raw, env)
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(part) for part in err["loc"])
        raise ConfigError(f"config: {key}: {err['msg']}" if key else f"config: {err['msg']}") from exc


def _refuse_file_secrets(raw: dict[str, Any]) -> None:
    for section, key in SECRET_KEYS:
        if (raw.get(section) or {}).get(key):
            env_name = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
            raise ConfigError(f"config: {section}.{key}: secrets come only from {env_name}")


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX):].split("__")]
        node = raw
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"config: {name}: {part} is not a section")
            node = child
        node[path[-1]] = _env_value(value)


def _env_value(value: str) -> Any:
    # Lists and mappings may be given as YAML flow text; scalars stay text for pydantic.
    if value.strip().startswith(("[", "{")):
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError:
            return value
    return value


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

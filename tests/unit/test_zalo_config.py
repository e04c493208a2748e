"""Zalo settings: secrets from the environment only, webhook mode needs its secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

BASE = {"SANGKIEN__DATABASE__URL": "sqlite+aiosqlite:///x.db"}


def test_webhook_mode_without_a_secret_fails_with_one_line_naming_the_key() -> None:
    env = BASE | {"SANGKIEN__ZALO__TOKEN": "1:t", "SANGKIEN__ZALO__MODE": "webhook"}
    with pytest.raises(ConfigError) as failed:
        load_config(env=env)
    assert "zalo" in str(failed.value) and "WEBHOOK_SECRET" in str(failed.value)
    assert "\n" not in str(failed.value)


def test_a_zalo_token_in_the_config_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("database: {url: 'sqlite+aiosqlite:///x.db'}\nprogramme: {fields: [a, b]}\n"
                    "zalo: {token: '1:t'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="SANGKIEN__ZALO__TOKEN"):
        load_config(path, env={})


def test_media_hosts_can_be_given_as_a_list_in_the_environment() -> None:
    config = load_config(env=BASE | {"SANGKIEN__ZALO__MEDIA_HOSTS": "[zdn.vn, 127.0.0.1]"})
    assert config.zalo.media_hosts == ("zdn.vn", "127.0.0.1")
    assert load_config(env=BASE).zalo.monthly_quota == 3000

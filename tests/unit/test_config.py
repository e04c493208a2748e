from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config


def test_defaults_load_from_the_repository_file() -> None:
    config = load_config(env={})
    assert config.database.url.startswith("sqlite+aiosqlite:///")
    assert config.web.port == 8080
    assert config.chat_tokens == []
    assert config.programme.fields[0] == "Giáo dục"


def test_environment_overrides_nested_keys() -> None:
    config = load_config(env={"SANGKIEN__WEB__PORT": "9090",
                              "SANGKIEN__TELEGRAM__TOKEN": "123:abc",
                              "SANGKIEN__TELEGRAM__BASE_URL": "http://127.0.0.1:9000/bot",
                              "SANGKIEN__PROGRAMME__COUNTING_STATUSES": "[approved]"})
    assert config.web.port == 9090
    assert config.telegram.token == "123:abc"
    assert config.telegram.base_url == "http://127.0.0.1:9000/bot"
    assert config.programme.counting_statuses == ("approved",)
    assert config.chat_tokens == ["telegram"]


@pytest.mark.parametrize(("env", "key"), [
    ({"SANGKIEN__WEB__PORT": "abc"}, "web.port"),
    ({"SANGKIEN__WEB__PROT": "1"}, "web.prot"),
    ({"SANGKIEN__TELEGRAM__MODE": "push"}, "telegram.mode"),
    ({"SANGKIEN__ZALO__WEBHOOK_SECRET": "short"}, "zalo"),
    ({"SANGKIEN__PROGRAMME__TIMEZONE": "Mars/Olympus"}, "programme.timezone"),
    ({"SANGKIEN__TELEGRAM__MAX_FILE_BYTES": "30000000"}, "telegram.max_file_bytes"),
])
def test_a_bad_value_fails_with_one_line_naming_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env=env)
    message = str(caught.value)
    assert key in message and "\n" not in message


def test_a_token_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text((Path(__file__).parents[2] / "config.yaml").read_text()
                    + "\n" + "telegram:\n  token: '123:abc'\n")
    with pytest.raises(ConfigError, match="SANGKIEN__TELEGRAM__TOKEN"):
        load_config(path, env={})


def test_broken_yaml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("database: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert "\n" not in str(caught.value)


def test_config_is_frozen() -> None:
    config = load_config(env={})
    with pytest.raises(Exception, match="frozen"):
        config.web.port = 1  # type: ignore[misc]

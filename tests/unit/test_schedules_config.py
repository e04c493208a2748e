"""The `schedules` section: defaults, per-job settings, and one clear line for a bad value."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config
from schedules.registry import build_registry
from schedules.settings import DEFAULT_JOBS


def test_every_job_has_a_cron_from_config_yaml() -> None:
    config = load_config(env={})
    specs = build_registry(config.schedules)
    assert list(specs) == list(DEFAULT_JOBS)
    assert specs["officer_digest"].cron == "30 7 * * *"
    assert specs["sprint_countdown"].outside_hours == "shift"


def test_a_bad_cron_fails_at_start_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"^config: schedules\.jobs\.urge_units\.cron: .*61"):
        load_config(env={"SANGKIEN__SCHEDULES__JOBS__URGE_UNITS__CRON": "61 8 * * *"})


def test_a_cron_with_the_wrong_number_of_fields_is_refused() -> None:
    with pytest.raises(ConfigError, match="5-field"):
        load_config(env={"SANGKIEN__SCHEDULES__JOBS__WEEKLY_LEAGUE__CRON": "0 9 * *"})


def test_an_unknown_job_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown job 'daily_digest'"):
        load_config(env={"SANGKIEN__SCHEDULES__JOBS__DAILY_DIGEST__CRON": "0 8 * * *"})


def test_a_bad_policy_and_a_bad_country_are_refused() -> None:
    with pytest.raises(ConfigError, match="outside_hours"):
        load_config(env={"SANGKIEN__SCHEDULES__JOBS__URGE_UNITS__OUTSIDE_HOURS": "later"})
    with pytest.raises(ConfigError, match=r"schedules\.holidays\.country"):
        load_config(env={"SANGKIEN__SCHEDULES__HOLIDAYS__COUNTRY": "XX"})


def test_a_job_can_be_disabled_and_its_grace_set() -> None:
    config = load_config(env={"SANGKIEN__SCHEDULES__JOBS__URGE_UNITS__ENABLED": "false",
                              "SANGKIEN__SCHEDULES__JOBS__URGE_UNITS__MISFIRE_GRACE_SECONDS": "600"})
    spec = build_registry(config.schedules)["urge_units"]
    assert not spec.enabled and spec.grace.total_seconds() == 600

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


def test_housekeeping_runs_nightly_sends_nothing_and_keeps_claims_14_days() -> None:
    config = load_config(env={})
    spec = build_registry(config.schedules)["housekeeping"]
    assert spec.cron == "15 3 * * *" and not spec.sends and spec.record_empty
    assert spec.grace.total_seconds() == 12 * 3600
    assert config.schedules.housekeeping.processed_updates_days == 14
    assert all(s.sends for name, s in build_registry(config.schedules).items()
               if name != "housekeeping")


def test_a_retention_shorter_than_redelivery_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"schedules\.housekeeping\.processed_updates_days"):
        load_config(env={"SANGKIEN__SCHEDULES__HOUSEKEEPING__PROCESSED_UPDATES_DAYS": "1"})

"""The `schedules` section of the configuration: one entry per job, quiet hours, holidays."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

import holidays
from pydantic import Field, field_validator, model_validator

from handlers.settings import Frozen
from schedules.slots import trigger

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def check_cron(value: str) -> str:
    """Return a five-field crontab expression, or raise ValueError saying what is wrong."""
    if len(value.split()) != 5:
        raise ValueError(f"{value!r} is not a 5-field cron expression (minute hour day month weekday)")
    try:
        trigger(value, DEFAULT_TZ)
    except ValueError as exc:
        raise ValueError(f"bad cron expression {value!r}: {exc}") from exc
    return value


class JobSettings(Frozen):
    """One scheduled job: when it fires and what to do in quiet hours and on holidays."""

    cron: str
    enabled: bool = True
    outside_hours: Literal["skip", "shift"] = "skip"
    """skip: a slot in quiet hours or on a holiday sends nothing; shift: its messages wait for the
    next allowed time, unless the job's next slot comes first (then it is skipped). A job that
    sends nothing (`housekeeping`) runs at any hour and ignores this."""
    misfire_grace_seconds: int = Field(3600, ge=1, le=7 * 86400)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        return check_cron(value)


class QuietHours(Frozen):
    """No DM and no group post from `start` until `end` (local time; may wrap past midnight)."""

    start: time = time(21, 0)
    end: time = time(7, 0)


class HolidaySettings(Frozen):
    """Public holidays (PyPI `holidays`, Tết included) plus extra days off."""

    country: str = "VN"
    """ISO country code for the `holidays` package; empty for none."""
    extra: tuple[date, ...] = ()

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value and value not in holidays.list_supported_countries():
            raise ValueError(f"unknown holiday country {value!r} (the `holidays` package's ISO codes)")
        return value


class ReminderSettings(Frozen):
    """Personal reminders to members with no initiative in the open phase."""

    interval_days: int = Field(7, ge=1, le=365)
    max_count: int = Field(3, ge=0, le=20)


class HousekeepingSettings(Frozen):
    """How long the `housekeeping` job keeps what only guards against redelivery."""

    processed_updates_days: int = Field(14, ge=2, le=3650)
    """Claims on handled updates older than this are deleted. Telegram keeps an undelivered
    update for at most 24 hours, so an older claim can no longer stop a duplicate."""


DEFAULT_JOBS = {
    "urge_units": JobSettings(cron="0 8 * * 1-6"),
    "officer_digest": JobSettings(cron="30 7 * * *"),
    "district_digest": JobSettings(cron="45 7 * * *"),
    "weekly_league": JobSettings(cron="0 9 * * 1"),
    "sprint_countdown": JobSettings(cron="0 8 * * *", outside_hours="shift"),
    "silent_reminders": JobSettings(cron="0 10 * * *"),
    "broadcasts": JobSettings(cron="* * * * *", misfire_grace_seconds=300),
    "housekeeping": JobSettings(cron="15 3 * * *", misfire_grace_seconds=12 * 3600),
}


class SchedulesSettings(Frozen):
    """Every scheduled job, plus the calendar they respect."""

    enabled: bool = True
    quiet_hours: QuietHours = QuietHours()
    holidays: HolidaySettings = HolidaySettings()
    reminders: ReminderSettings = ReminderSettings()
    housekeeping: HousekeepingSettings = HousekeepingSettings()
    dm_channels: tuple[str, ...] = ("telegram", "zalo", "console")
    """Which chat account receives a member's DM when they have several (first wins)."""
    contributors_shown: int = Field(10, ge=0, le=50)
    jobs: dict[str, JobSettings] = Field(default_factory=lambda: dict(DEFAULT_JOBS))

    @model_validator(mode="after")
    def _known_jobs(self) -> SchedulesSettings:
        unknown = sorted(set(self.jobs) - set(DEFAULT_JOBS))
        if unknown:
            raise ValueError(f"unknown job {unknown[0]!r}; jobs are {', '.join(DEFAULT_JOBS)}")
        return self

    def job(self, name: str) -> JobSettings:
        """Return a job's settings (the default when config.yaml leaves it out)."""
        return self.jobs.get(name) or DEFAULT_JOBS[name]

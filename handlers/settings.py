"""Settings the conversation core needs, declared here and filled in by the wiring."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Frozen(BaseModel):
    """Base of every settings object: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ProgrammeSettings(Frozen):
    """Rules of the programme the dialogs and reports follow."""

    timezone: str = "Asia/Ho_Chi_Minh"
    fields: tuple[str, ...] = Field(min_length=2)
    counting_statuses: tuple[str, ...] = ("submitted", "approved")
    draft_ttl_days: int = Field(7, ge=1, le=365)
    number_prefix: str = Field("SK-", min_length=1, max_length=8)
    lagging_share: float = Field(0.8, ge=0, le=1)
    """A unit is lagging when its count is below this share of a steady pace to its target."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """Return the programme's time zone."""
        return ZoneInfo(self.timezone)


class OutboxSettings(Frozen):
    """Delivery of queued messages."""

    drain_interval_seconds: float = Field(1.0, gt=0)
    """How soon the sender looks again after a round that sent something or failed."""
    idle_max_seconds: float = Field(10.0, gt=0)
    """The longest wait of an idle sender (it doubles from `drain_interval_seconds`)."""
    max_attempts: int = Field(8, ge=1)
    sending_lease_seconds: int = Field(300, ge=10)
    backoff_base_seconds: float = Field(2.0, gt=0)
    backoff_max_seconds: float = Field(300.0, gt=0)
    slow_send_seconds: float = Field(1.0, gt=0)
    """A platform call slower than this halves the channel's send window (as a 429 does)."""


class AwardRules(Frozen):
    """How the award shortlist is ranked (docs/reports.md explains each key)."""

    collectives: int = Field(10, ge=1, le=100)
    individuals: int = Field(10, ge=1, le=100)
    collective_order: tuple[str, ...] = ("percent_of_target", "per_100_members", "count")
    individual_order: tuple[str, ...] = ("initiatives", "benefit")
    statuses: tuple[str, ...] = ()
    """Statuses that count for awards; empty: `approved` once it exists, else counting_statuses."""

    @field_validator("collective_order")
    @classmethod
    def _known_collective_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known(value, ("percent_of_target", "per_100_members", "count", "share_submitted",
                              "benefit"))

    @field_validator("individual_order")
    @classmethod
    def _known_individual_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known(value, ("initiatives", "benefit"))


def _known(value: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [key for key in value if key not in allowed]
    if unknown or not value:
        raise ValueError(f"use one or more of {', '.join(allowed)}")
    return value


class ReportSettings(Frozen):
    """Reports, exported files and the expiring card links served to Zalo."""

    export_dir: str = "data/exports"
    card_ttl_hours: int = Field(72, ge=1, le=24 * 30)
    card_key: str = ""
    """Secret for signing card links (env SANGKIEN__REPORTS__CARD_KEY); empty: a key file."""
    card_max_rows: int = Field(60, ge=1, le=500)
    awards: AwardRules = AwardRules()
class PacingSettings(Frozen):
    """How fast a channel may send: per chat, per group chat and overall (token buckets).

    A channel that has platform flood limits supplies one (Telegram: about 1 message a second in
    a chat, 20 a minute in a group, 30 a second overall). On PostgreSQL the limits hold for all
    workers together (the lanes are shared); SQLite runs one worker.
    """

    per_chat_per_second: float = Field(1.0, gt=0)
    chat_burst: int = Field(3, ge=1)
    per_group_per_minute: float = Field(20.0, gt=0)
    group_burst: int = Field(3, ge=1)
    overall_per_second: float = Field(30.0, gt=0)
    overall_burst: int = Field(5, ge=1)
    max_wait_seconds: float = Field(0.5, ge=0)
    """A message whose chat is free within this wait is held in memory; later ones are requeued."""
    concurrency: int = Field(8, ge=1, le=100)
    """The most sends of this channel in flight at once (different chats); the send window
    (handlers/sendwindow.py) keeps fewer unless the traffic needs them."""

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
    max_attempts: int = Field(8, ge=1)
    sending_lease_seconds: int = Field(300, ge=10)
    backoff_base_seconds: float = Field(2.0, gt=0)
    backoff_max_seconds: float = Field(300.0, gt=0)

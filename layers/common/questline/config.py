"""Typed settings, parsed once from the environment.

Every entry point reads configuration through :func:`get_settings`; nothing else in the
package touches ``os.environ``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class Settings(BaseModel):
    """Runtime configuration of every Questline function."""

    table_name: str = "questline"
    ingest_queue_url: str = ""
    dead_letter_queue_url: str = ""
    event_bus_name: str = "questline"
    redis_url: str | None = None
    redis_key_prefix: str = "ql:"
    catalog_path: str | None = None
    # "apigateway": API Gateway's JWT authorizer has verified the token, the app reads its claims.
    # "local": the app verifies an HS256 token signed with local_jwt_secret (development only).
    auth_mode: Literal["apigateway", "local"] = "apigateway"
    local_jwt_secret: str = ""
    max_event_age: timedelta = timedelta(days=30)
    max_future_skew: timedelta = timedelta(minutes=5)
    # 0 keeps dedupe markers forever; otherwise they expire (DynamoDB TTL) after this many days,
    # which must be longer than any redelivery or replay window.
    dedupe_retention_days: int = Field(default=0, ge=0)
    max_events_per_request: int = Field(default=100, ge=1, le=500)
    commit_attempts: int = Field(default=8, ge=1)
    outbox_grace: timedelta = timedelta(minutes=2)
    # How far back the expiry job looks for due items it has not processed yet (outbox items,
    # streak and quest deadlines): longer than any outage of the schedule you want to survive.
    due_lookback_days: int = Field(default=7, ge=1)
    due_index_shards: int = Field(default=4, ge=1, le=64)
    # Bus sources besides Questline's own ("questline") whose AwardRequested events are granted;
    # the environment gives them comma-separated (the template's TrustedAwardSources).
    trusted_award_sources: tuple[str, ...] = ()

    @field_validator("trusted_award_sources", mode="before")
    @classmethod
    def _split_sources(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(source.strip() for source in value.split(",") if source.strip())
        return value


_ENV_NAMES = {
    "table_name": "TABLE_NAME",
    "ingest_queue_url": "INGEST_QUEUE_URL",
    "dead_letter_queue_url": "DEAD_LETTER_QUEUE_URL",
    "event_bus_name": "EVENT_BUS_NAME",
    "redis_url": "REDIS_URL",
    "redis_key_prefix": "REDIS_KEY_PREFIX",
    "catalog_path": "CATALOG_PATH",
    "auth_mode": "AUTH_MODE",
    "local_jwt_secret": "LOCAL_JWT_SECRET",
    "max_event_age": "MAX_EVENT_AGE_SECONDS",
    "max_future_skew": "MAX_FUTURE_SKEW_SECONDS",
    "dedupe_retention_days": "DEDUPE_RETENTION_DAYS",
    "max_events_per_request": "MAX_EVENTS_PER_REQUEST",
    "commit_attempts": "COMMIT_ATTEMPTS",
    "outbox_grace": "OUTBOX_GRACE_SECONDS",
    "due_lookback_days": "DUE_LOOKBACK_DAYS",
    "due_index_shards": "DUE_INDEX_SHARDS",
    "trusted_award_sources": "TRUSTED_AWARD_SOURCES",
}


# Durations are given in seconds in the environment (pydantic would read ISO 8601 strings).
_SECONDS_FIELDS = {"max_event_age", "max_future_skew", "outbox_grace"}


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables; unset or empty variables keep defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {field: env[name] for field, name in _ENV_NAMES.items() if env.get(name)}
    for field in _SECONDS_FIELDS & values.keys():
        try:
            values[field] = timedelta(seconds=float(str(values[field])))
        except ValueError as exc:
            raise ValueError(f"{_ENV_NAMES[field]} must be a number of seconds") from exc
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return settings_from_env()

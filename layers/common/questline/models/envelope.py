"""The inbound event envelope (camelCase JSON), validated at every entry point.

Time bounds depend on "now", which the caller passes through pydantic's validation context,
so the model stays pure and testable with any clock.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel

from questline.errors import PermanentEventError

SUPPORTED_MAJOR_VERSION = 1
RESERVED_TYPE_PREFIX = "questline."
MAX_PAYLOAD_BYTES = 16 * 1024
MAX_METADATA_BYTES = 4 * 1024

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")]
EventType = Annotated[
    str, Field(min_length=3, max_length=128, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
]
Journey = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")]
Version = Annotated[str, Field(max_length=16, pattern=r"^\d+(\.\d+){0,2}$")]


class TimeBounds(BaseModel):
    """What "too old" and "too far in the future" mean, relative to ``now``."""

    now: datetime
    max_age: timedelta
    max_future_skew: timedelta


class EventEnvelope(BaseModel):
    """One upstream event: who did what, when. Point values never come from here."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    id: Identifier
    type: EventType
    user_id: Identifier
    timestamp: AwareDatetime
    version: Version
    payload: dict[str, JsonValue] = Field(default_factory=dict)
    journey: Journey | None = None
    metadata: dict[str, JsonValue] | None = None

    @field_validator("version")
    @classmethod
    def _supported_version(cls, value: str) -> str:
        if int(value.split(".")[0]) != SUPPORTED_MAJOR_VERSION:
            raise ValueError(f"unsupported version {value}; supported: {SUPPORTED_MAJOR_VERSION}.x")
        return value

    @field_validator("payload")
    @classmethod
    def _payload_size(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, separators=(",", ":"))) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload larger than {MAX_PAYLOAD_BYTES} bytes")
        return value

    @field_validator("metadata")
    @classmethod
    def _metadata_size(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(json.dumps(value, separators=(",", ":"))) > MAX_METADATA_BYTES:
            raise ValueError(f"metadata larger than {MAX_METADATA_BYTES} bytes")
        return value

    @field_validator("timestamp")
    @classmethod
    def _within_bounds(cls, value: datetime, info: ValidationInfo) -> datetime:
        bounds = (info.context or {}).get("bounds")
        if bounds is None:
            return value
        if value > bounds.now + bounds.max_future_skew:
            raise ValueError("timestamp is too far in the future")
        if value < bounds.now - bounds.max_age:
            raise ValueError(f"timestamp is older than the accepted window of {bounds.max_age}")
        return value

    def to_json(self) -> str:
        """The canonical camelCase JSON of this event (what goes on the queue)."""
        return self.model_dump_json(by_alias=True, exclude_none=True)


def field_path(loc: tuple[int | str, ...], root: str = "body") -> str:
    """``("events", 0, "userId")`` -> ``events[0].userId``; an empty location is ``root``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or root


def describe_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as ``[{"field": ..., "message": ...}]``, the shape every API error uses."""
    return [{"field": field_path(err["loc"]), "message": err["msg"]} for err in exc.errors()]


def _reason_for(exc: ValidationError) -> str:
    """The dead-letter reason: the most specific problem wins over a generic schema violation."""
    messages = {str(err["loc"][0]) if err["loc"] else "": err["msg"] for err in exc.errors()}
    if "unsupported version" in messages.get("version", ""):
        return "unsupported-version"
    if "older" in messages.get("timestamp", ""):
        return "too-old"
    if "future" in messages.get("timestamp", ""):
        return "too-far-in-future"
    return "schema-violation"


def parse_event(raw: Any, bounds: TimeBounds) -> EventEnvelope:
    """Validate one raw event (JSON text, or already-decoded JSON), raising
    :class:`PermanentEventError` with a machine-readable reason and the offending fields."""
    try:
        if isinstance(raw, str | bytes):
            event = EventEnvelope.model_validate_json(raw, context={"bounds": bounds})
        else:
            event = EventEnvelope.model_validate(raw, context={"bounds": bounds})
    except ValidationError as exc:
        errors = exc.errors()
        if errors and errors[0]["type"] == "json_invalid":
            raise PermanentEventError("not-json", [{"field": "body", "message": errors[0]["msg"]}]) from exc
        raise PermanentEventError(_reason_for(exc), describe_errors(exc)) from exc
    if event.type.startswith(RESERVED_TYPE_PREFIX):
        # Direct awards travel as questline.* events; only the award function may create them.
        raise PermanentEventError(
            "reserved-type", [{"field": "type", "message": "questline.* event types are reserved"}]
        )
    return event


def parse_queued_event(body: str, bounds: TimeBounds) -> EventEnvelope:
    """A queue message body is the envelope itself, or an EventBridge event (forwarded from the
    bus by the upstream rule) that carries the envelope as its ``detail``."""
    if '"detail-type"' in body:  # cheap test before decoding twice
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and "detail" in data and "detail-type" in data:
            return parse_event(data["detail"], bounds)
    return parse_event(body, bounds)

"""The inbound event envelope (camelCase JSON), validated at every entry point.

Time bounds depend on "now", which the caller passes through pydantic's validation context,
so the model stays pure and testable with any clock.

Content bounds keep the decide step from ever crashing on what an upstream system sent: every
number in ``payload`` and ``metadata`` is finite and within +/- ``MAX_NUMBER``, they nest at most
``MAX_NESTING`` levels, and their strings (keys included) hold no lone surrogate and no control
character but tab, line feed and carriage return. Python's json accepts ``NaN``, ``Infinity``,
``1e400`` (as infinity) and ``"\\udc00"``; the model refuses them wherever the event came from.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
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
from pydantic_core import ErrorDetails, PydanticCustomError

from questline.errors import PermanentEventError

SUPPORTED_MAJOR_VERSION = 1
RESERVED_TYPE_PREFIX = "questline."
MAX_PAYLOAD_BYTES = 16 * 1024
MAX_METADATA_BYTES = 4 * 1024
MAX_NESTING = 32  # levels of objects and arrays in payload or metadata (the object itself is 1)
MAX_NUMBER = 10**15  # any number in payload or metadata, in absolute value: exact as a double
# Tab, line feed and carriage return are text; other C0 controls are not. A lone surrogate fits
# in a Python str but in no UTF-8 encoder, so nothing downstream could write it.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Dead-letter reasons of the content bounds, by the pydantic error type that reports them.
CONTENT_REASONS = {
    "non_finite_number": "non-finite-number",
    "number_out_of_range": "number-out-of-range",
    "too_deep": "too-deep",
    "invalid_string": "invalid-string",
}

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")]
EventType = Annotated[
    str, Field(min_length=3, max_length=128, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
]

# In a path ``me`` names the caller, so no user may be called ``me``: their data could never
# be read back (``/v1/users/me/...`` always means the caller).
ME = "me"
RESERVED_USER_ID = f"{ME!r} is reserved (in a path it names the caller) and cannot be a user id"


def refuse_reserved_user_id(value: str) -> str:
    if value == ME:
        raise ValueError(RESERVED_USER_ID)
    return value


UserId = Annotated[Identifier, AfterValidator(refuse_reserved_user_id)]
"""A user id given as input (an event's user, an award's, an exclusion's): never ``me``."""
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
    user_id: UserId
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

    @field_validator("payload", "metadata", mode="before")
    @classmethod
    def _representable(cls, value: Any) -> Any:
        # Before pydantic's own walk over the value: it is bounded here, iteratively, first.
        problem = content_problem(value)
        if problem is not None:
            raise problem
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


def content_problem(value: Any) -> PydanticCustomError | None:
    """The first value (in document order) outside the content bounds, as a pydantic error whose
    ``at`` names where it is, relative to the field; None when everything is within them."""
    if _plainly_within_bounds(value):
        return None
    return _locate_problem(value)


def _plainly_within_bounds(value: Any) -> bool:
    """The hot path's check, level by level without tracking paths: True when every value is
    within the bounds; False when one may not be (then ``_locate_problem`` finds it, or not)."""
    level, depth = [value], 0
    while level:
        depth += 1
        below: list[Any] = []
        text: list[str] = []
        for item in level:
            kind = type(item)
            if kind is str:
                text.append(item)
            elif kind is dict:
                text.extend(item)
                below.extend(item.values())
            elif kind is list:
                below.extend(item)
            elif kind is int or kind is float:
                if not -MAX_NUMBER <= item <= MAX_NUMBER:  # NaN compares false too
                    return False
            elif kind is not bool and item is not None:
                return False  # not plain JSON: let the thorough walk judge it
        if (below and depth >= MAX_NESTING) or _UNWRITABLE.search("".join(text)):
            return False
        level = below
    return True


def _locate_problem(value: Any) -> PydanticCustomError | None:
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict | list):
            if len(path) >= MAX_NESTING:
                return _problem("too_deep", f"nested deeper than {MAX_NESTING} levels", path)
            if isinstance(item, list):
                stack.extend((child, (*path, index)) for index, child in reversed(list(enumerate(item))))
                continue
            for key in item:
                if isinstance(key, str) and _UNWRITABLE.search(key):
                    # Named by its parent: the key itself cannot travel in a field path.
                    return _problem("invalid_string", _UNWRITABLE_TEXT.format("a key"), path)
            stack.extend((child, (*path, key)) for key, child in reversed(item.items()))
        elif isinstance(item, str):
            if _UNWRITABLE.search(item):
                return _problem("invalid_string", _UNWRITABLE_TEXT.format("the string"), path)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int | float):
            if isinstance(item, float) and not math.isfinite(item):
                return _problem(
                    "non_finite_number", "a number must be finite (not NaN, Infinity or 1e400)", path
                )
            if abs(item) > MAX_NUMBER:
                return _problem("number_out_of_range", f"a number must be within +/- {MAX_NUMBER:,}", path)
    return None


_UNWRITABLE_TEXT = "{} holds a lone surrogate or a control character other than tab, LF, CR"


def _problem(kind: str, message: str, path: tuple[int | str, ...]) -> PydanticCustomError:
    at = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return PydanticCustomError(kind, message, {"at": at})


def exceeds_nesting(text: str, limit: int) -> bool:
    """Whether JSON ``text`` nests objects and arrays deeper than ``limit``, found by a scan of
    the raw text (no recursion, stops at the first level too deep), so a body nested 100,000
    deep is refused before a recursive parser meets it."""
    if text.count("[") + text.count("{") <= limit:
        return False  # too few brackets to nest that deep: nearly every event ends here
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


# A JSON string (whose brackets do not count) or one bracket.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


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
    """Pydantic errors as ``[{"field": ..., "message": ...}]``, the shape every API error uses.
    A content bound names the value inside the field (``payload.laps[2].time``)."""
    return [{"field": _located(err), "message": err["msg"]} for err in exc.errors()]


def _located(err: ErrorDetails) -> str:
    return field_path(err["loc"]) + str(err.get("ctx", {}).get("at", ""))


# The most specific problem wins over a generic schema violation, in this order.
_REASON_ORDER = ["unsupported-version", "too-old", "too-far-in-future", *CONTENT_REASONS.values()]


def _specific_reason(err: ErrorDetails) -> str | None:
    field = str(err["loc"][0]) if err["loc"] else ""
    if err["type"] in CONTENT_REASONS:
        return CONTENT_REASONS[err["type"]]
    if field == "version" and "unsupported version" in err["msg"]:
        return "unsupported-version"
    if field == "timestamp" and "older" in err["msg"]:
        return "too-old"
    if field == "timestamp" and "future" in err["msg"]:
        return "too-far-in-future"
    return None


def _permanent(exc: ValidationError) -> PermanentEventError:
    """The dead-letter reason and the errors, the one that gave the reason first (its field is
    the record's ``field``)."""
    described = describe_errors(exc)
    reasons = [_specific_reason(err) for err in exc.errors()]
    found = [(_REASON_ORDER.index(r), i) for i, r in enumerate(reasons) if r is not None]
    if not found:
        return PermanentEventError("schema-violation", described)
    rank, index = min(found)
    return PermanentEventError(
        _REASON_ORDER[rank], [described[index], *described[:index], *described[index + 1 :]]
    )


def parse_event(raw: Any, bounds: TimeBounds) -> EventEnvelope:
    """Validate one raw event (JSON text, or already-decoded JSON), raising
    :class:`PermanentEventError` with a machine-readable reason and the offending fields."""
    if isinstance(raw, str | bytes):
        _refuse_deep(raw, MAX_NESTING + 1)  # the envelope, then its payload
    return _validated(raw, bounds)


def _refuse_deep(raw: str | bytes, limit: int) -> None:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if exceeds_nesting(text, limit):
        message = f"nested deeper than an event may be ({MAX_NESTING} levels in payload and metadata)"
        raise PermanentEventError("too-deep", [{"field": "body", "message": message}])


def _validated(raw: Any, bounds: TimeBounds) -> EventEnvelope:
    context = {"bounds": bounds}
    try:
        if isinstance(raw, str | bytes):
            event = _from_json(raw, context)
        else:
            event = EventEnvelope.model_validate(raw, context=context)
    except ValidationError as exc:
        raise _permanent(exc) from exc
    if event.type.startswith(RESERVED_TYPE_PREFIX):
        # Direct awards travel as questline.* events; only the award function may create them.
        raise PermanentEventError(
            "reserved-type", [{"field": "type", "message": "questline.* event types are reserved"}]
        )
    return event


def _from_json(raw: str | bytes, context: dict[str, Any]) -> EventEnvelope:
    try:
        return EventEnvelope.model_validate_json(raw, context=context)
    except ValidationError as exc:
        errors = exc.errors()
        if not (errors and errors[0]["type"] == "json_invalid"):
            raise
        invalid = errors[0]["msg"]
    # Python's json decodes what pydantic's parser refuses outright (a lone surrogate escape):
    # validating what it decodes names the field at fault and the bound it breaks.
    try:
        decoded = json.loads(raw)
    except (ValueError, RecursionError):
        raise PermanentEventError("not-json", [{"field": "body", "message": invalid}]) from None
    return EventEnvelope.model_validate(decoded, context=context)


def parse_queued_event(body: str, bounds: TimeBounds) -> EventEnvelope:
    """A queue message body is the envelope itself, or an EventBridge event (forwarded from the
    bus by the upstream rule) that carries the envelope as its ``detail``."""
    _refuse_deep(body, MAX_NESTING + 2)  # an EventBridge event, the envelope, then its payload
    if '"detail-type"' in body:  # cheap test before decoding twice
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict) and "detail" in data and "detail-type" in data:
            return _validated(data["detail"], bounds)
    return parse_event(body, bounds)

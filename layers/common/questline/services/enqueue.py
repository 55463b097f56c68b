"""``POST /v1/events``: validate each event on its own and put the valid ones on the ingest queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from questline.errors import PermanentEventError, RequestRejected, TransientError
from questline.models.api import EventBatchResponse, FieldError, RejectedEvent
from questline.models.envelope import EventEnvelope, TimeBounds, parse_event
from questline.services.runtime import Runtime
from questline.storage.queues import OutgoingMessage


def enqueue_events(raw_events: Sequence[Any], runtime: Runtime) -> EventBatchResponse:
    """Accept the valid events of a batch; each invalid one is rejected with its field errors."""
    s = runtime.settings
    if len(raw_events) > s.max_events_per_request:
        limit = f"at most {s.max_events_per_request} events per request"
        raise RequestRejected(limit, [{"field": "events", "message": limit}])
    bounds = TimeBounds(now=runtime.clock(), max_age=s.max_event_age, max_future_skew=s.max_future_skew)
    accepted: list[EventEnvelope] = []
    messages: list[OutgoingMessage] = []
    rejected: list[RejectedEvent] = []
    for index, raw in enumerate(raw_events):
        try:
            event = _accepted(raw, bounds)
            body = _queued_body(event)
        except PermanentEventError as exc:
            rejected.append(_rejection(index, raw, exc))
            continue
        messages.append(OutgoingMessage(id=str(len(accepted)), body=body))
        accepted.append(event)
    failed = set(runtime.queues.send(s.ingest_queue_url, messages)) if messages else set()
    if failed:
        # The caller retries the whole request: markers make the already-queued ones count once.
        raise TransientError(f"the queue did not accept {len(failed)} of {len(messages)} events; retry")
    return EventBatchResponse(accepted=[e.id for e in accepted], rejected=rejected)


def _accepted(raw: Any, bounds: TimeBounds) -> EventEnvelope:
    if not isinstance(raw, dict):
        raise PermanentEventError(
            "schema-violation", [{"field": "body", "message": "an event is a JSON object"}]
        )
    return parse_event(raw, bounds)


def _queued_body(event: EventEnvelope) -> str:
    """The message body; an event whose values JSON cannot carry is rejected, never a 500."""
    try:
        return event.to_json()
    except ValueError as exc:  # pydantic's serialization error, e.g. a lone surrogate
        raise PermanentEventError("schema-violation", [{"field": "body", "message": str(exc)}]) from exc


def _rejection(index: int, raw: Any, exc: PermanentEventError) -> RejectedEvent:
    prefix = f"events[{index}]"
    errors = [
        FieldError(field=prefix if e["field"] == "body" else f"{prefix}.{e['field']}", message=e["message"])
        for e in exc.errors
    ]
    event_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    return RejectedEvent(index=index, id=event_id, reason=exc.reason, errors=errors)

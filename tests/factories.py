"""Factories for test data: events and catalogs built from a few arguments, not dict literals."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from questline.domain.catalog import CompiledCatalog, compile_catalog
from questline.models.catalog_bundle import parse_catalog
from questline.models.envelope import EventEnvelope

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def event_dict(
    user_id: str = "u1",
    type: str = "health.metric.recorded",
    *,
    id: str | None = None,
    at: datetime | None = None,
    payload: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid camelCase event, as an upstream system would send it."""
    return {
        "id": id if id is not None else f"evt-{next(_ids)}",
        "type": type,
        "userId": user_id,
        "timestamp": (at or NOW - timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
        "version": "1.0",
        "payload": payload if payload is not None else {},
        **extra,
    }


def event(user_id: str = "u1", type: str = "health.metric.recorded", **kwargs: Any) -> EventEnvelope:
    return EventEnvelope.model_validate(event_dict(user_id, type, **kwargs))


def sample_event(name: str) -> dict[str, Any]:
    """A sample trigger event from events/."""
    return json.loads((ROOT / "events" / name).read_text())


TEST_CATALOG_YAML = """
version: test-1
xp:
  - {id: metric-xp, events: {type: health.metric.recorded}, amount: 10}
  - {id: appointment-xp, events: {type: care.appointment.scheduled}, amount: 40}
levels:
  thresholds: [0, 30, 100, 200, 400]
achievements:
  - id: first-metric
    title: First metric
    points: 5
    criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
  - id: five-metrics
    title: Five metrics
    points: 20
    criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 5}
  - id: steps-1000
    title: 1000 steps
    type: CHALLENGE
    points: 50
    criteria:
      metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}
      threshold: 1000
"""


def make_catalog() -> CompiledCatalog:
    return compile_catalog(parse_catalog(TEST_CATALOG_YAML))


def sqs_event(bodies: list[str], *, message_ids: list[str] | None = None) -> dict[str, Any]:
    """A Lambda SQS event shaped like the sample in events/, one record per body."""
    template = sample_event("sqs-ingest-batch.json")["Records"][0]
    ids = message_ids or [f"msg-{next(_ids)}" for _ in bodies]
    return {
        "Records": [
            {**template, "messageId": mid, "body": body} for mid, body in zip(ids, bodies, strict=True)
        ]
    }


class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name = "questline-test"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:questline-test"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000

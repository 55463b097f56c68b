"""A reproducible ingest stream over the demo catalog: many users, mixed event types, and some
upstream resends of events already sent (the duplicates exactly-once processing must absorb)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.factories import event_dict

# Event types of the demo catalog with a plausible mix: metrics dominate, plan events are rare.
TYPE_WEIGHTS = {
    "health.metric.recorded": 40,
    "care.medication.tracked": 15,
    "care.appointment.scheduled": 8,
    "plan.claim.submitted": 8,
    "health.goal.achieved": 7,
    "health.device.connected": 5,
    "care.telemedicine.completed": 7,
    "plan.benefit.used": 7,
    "plan.plan.selected": 3,
}


@dataclass(frozen=True)
class Message:
    message_id: str
    body: str


def ingest_stream(
    *, events: int, users: int, duplicate_share: float, now: datetime, seed: int = 7
) -> list[Message]:
    """``events`` messages in delivery order, ``duplicate_share`` of them resends of an earlier
    message's body (a new message id, as an upstream retry produces), placed later in the stream."""
    rng = random.Random(seed)
    resends = round(events * duplicate_share)
    originals = [_event(i, rng, users, now - timedelta(hours=1), events) for i in range(events - resends)]
    stream = [Message(f"m-{i}", body) for i, body in enumerate(originals)]
    for n in range(resends):
        source = rng.randrange(len(originals))
        at = rng.randrange(source + 1, len(stream) + 1)
        stream.insert(at, Message(f"m-resend-{n}", originals[source]))
    return stream


def _event(index: int, rng: random.Random, users: int, start: datetime, total: int) -> str:
    event_type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    payload: dict[str, object] = {}
    if event_type == "health.metric.recorded":
        payload = {"metric": "steps", "steps": rng.randrange(500, 9000)}
    body = event_dict(
        f"user-{rng.randrange(users):05d}",
        event_type,
        id=f"evt-{index:07d}",
        at=start + timedelta(seconds=3600 * index / total),
        payload=payload,
        journey=event_type.split(".")[0],  # the demo types are <journey>.<noun>.<verb>
    )
    return json.dumps(body, separators=(",", ":"))


def batches(stream: list[Message], size: int) -> list[list[Message]]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]

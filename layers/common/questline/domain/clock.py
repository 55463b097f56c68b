"""Clock ticks: the expiry schedule's visits to a user, as events of a reserved type.

A tick's id is derived from what is due and when, so two overlapping expiry runs (or a retry)
deliver the same tick twice and the dedupe marker keeps one; and a tick carries the due instant
as its time, so what it decides depends on event time, never on when the job happened to run.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from questline.models.envelope import EventEnvelope

TICK_EVENT_TYPE = "questline.clock.tick"
STREAK = "STREAK"
QUEST = "QUEST"


class DueKey(NamedTuple):
    """What a deadline is for: a streak or a quest (``kind``), and its id."""

    kind: str  # STREAK or QUEST
    id: str


def tick_event(user_id: str, due: DueKey, at: datetime) -> EventEnvelope:
    """The tick for one deadline falling due at ``at``."""
    stamp = at.strftime("%Y%m%dT%H%M%S%f")
    return EventEnvelope(
        # Ticks already applied are known by this id (their dedupe markers): it never changes.
        id=f"tick:{due.kind}:{due.id.replace('#', ':')}:{stamp}",
        type=TICK_EVENT_TYPE,
        user_id=user_id,
        timestamp=at,
        version="1.0",
        payload={"due": {"kind": due.kind, "id": due.id}},
    )

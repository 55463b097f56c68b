"""Publishing committed domain events, and the sweep that republishes what a crash left behind.

Publication is at-least-once: an entry is deleted only after the bus accepted all its events,
and consumers dedupe on the domain event id (stable across re-decisions).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from questline.services.runtime import Runtime
from questline.storage.users import OutboxEntry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishResult:
    published: int
    failed: int


def publish_outbox(entries: Sequence[OutboxEntry], runtime: Runtime) -> PublishResult:
    """Publish each entry's events, then delete the entry. Failures stay for the sweep."""
    published = failed = 0
    for entry in entries:
        try:
            runtime.bus.publish(entry.events)
            runtime.users.delete_outbox(entry)
        except Exception:
            # The entry is committed and indexed as due: the sweep publishes it later, so a
            # failure here (bus, network, anything) must not fail the events that caused it.
            logger.exception("publish failed; left for the sweep", extra={"outbox_id": entry.outbox_id})
            failed += 1
            continue
        published += 1
    return PublishResult(published, failed)


def sweep_outbox(runtime: Runtime, limit: int = 500) -> PublishResult:
    """Republish outbox items whose grace period has passed (found through the due index)."""
    s = runtime.settings
    due = runtime.users.due_outbox(runtime.clock(), s.due_lookback_days, limit)
    return publish_outbox(due, runtime)

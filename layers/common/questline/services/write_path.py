"""The one write path: every change to a user's progress (queued events, direct awards, quest
requests, clock ticks, leaderboard prizes) is decided here and committed here, then mirrored and
published.

For each user: order the events once, then chunk by chunk load, decide purely and commit the
decision as it is, in one transaction (retrying on contention); then ``after_commit`` mirrors
the committed board scores and publishes the domain events. With ``isolate``, an event whose
decision or commit fails for any reason but a transient one is isolated by bisecting its chunk
and left out, so the rest commits.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from questline.domain.decide import Decision, decide, order_events
from questline.domain.leaderboards.scores import ScoreItem
from questline.domain.state import Unlock
from questline.errors import CommitConflictError
from questline.models.envelope import EventEnvelope
from questline.services.outbox import publish_outbox
from questline.services.runtime import Runtime
from questline.storage.failures import is_transient
from questline.storage.leaderboards.mirror import mirror_scores
from questline.storage.users import (
    TRANSACTION_LIMIT,
    CommitRequest,
    DuplicateEvents,
    OutboxEntry,
    VersionConflict,
)

logger = logging.getLogger(__name__)

# One transaction holds the profile, one marker per event, the unlocks and the outbox item;
# DynamoDB allows 100 items, so events are committed in chunks well below that.
EVENTS_PER_COMMIT = 40


ChunkCommit = Callable[[str, list[EventEnvelope], Runtime, datetime, "UserOutcome"], None]


@dataclass
class UserOutcome:
    applied: int = 0
    duplicates: int = 0
    outbox: list[OutboxEntry] = field(default_factory=list)
    unlocks: list[Unlock] = field(default_factory=list)
    scores: list[ScoreItem] = field(default_factory=list)  # committed board scores, to mirror
    # Events isolated because deciding or committing them failed, not transiently (isolate=True).
    unprocessable: list[tuple[EventEnvelope, Exception]] = field(default_factory=list)


def after_commit(outbox: list[OutboxEntry], runtime: Runtime, scores: Sequence[ScoreItem]) -> None:
    """Mirror the committed board scores (absolute, versioned) to Redis, then publish the domain
    events. Both may fail: Redis is rebuilt from DynamoDB, the outbox is swept."""
    if scores:  # a commit without board scores never builds the Redis client
        mirror_scores(scores, runtime.board_cache)
    publish_outbox(outbox, runtime)


def process_user(
    user_id: str,
    events: Sequence[EventEnvelope],
    runtime: Runtime,
    now: datetime,
    *,
    isolate: bool = False,
) -> UserOutcome:
    """Apply a user's events exactly once, in event-time order, in chunks of EVENTS_PER_COMMIT.

    With ``isolate``, an event whose decision or commit fails other than transiently is left out
    and listed in ``outcome.unprocessable``, and the others are committed; without it (a caller
    with a single event of its own making), the failure is raised."""
    unique = list({event.id: event for event in reversed(events)}.values())  # first copy wins
    outcome = UserOutcome(duplicates=len(events) - len(unique))
    ordered = order_events(unique)  # once: chunks commit in this order, and decide takes it as given
    commit = _isolating_chunk if isolate else _commit_chunk
    for start in range(0, len(ordered), EVENTS_PER_COMMIT):
        commit(user_id, ordered[start : start + EVENTS_PER_COMMIT], runtime, now, outcome)
    return outcome


def _isolating_chunk(
    user_id: str, events: list[EventEnvelope], runtime: Runtime, now: datetime, outcome: UserOutcome
) -> None:
    """Commit ``events``; when that fails other than transiently, commit each half on its own
    (earlier half first, so event-time order holds) until the failing event stands alone.
    Nothing of a failed attempt was written (one transaction), so halves never count twice."""
    try:
        _commit_chunk(user_id, events, runtime, now, outcome, split=_isolating_chunk)
    except Exception as exc:
        if is_transient(exc):
            raise
        if len(events) == 1:
            logger.exception(
                "event cannot be processed; dead-lettered",
                extra={"user_id": user_id, "event_id": events[0].id},
            )
            outcome.unprocessable.append((events[0], exc))
            return
        half = len(events) // 2
        _isolating_chunk(user_id, events[:half], runtime, now, outcome)
        _isolating_chunk(user_id, events[half:], runtime, now, outcome)


def _commit_chunk(
    user_id: str,
    events: list[EventEnvelope],
    runtime: Runtime,
    now: datetime,
    outcome: UserOutcome,
    split: ChunkCommit | None = None,
) -> None:
    split = split or _commit_chunk
    pending = events
    attempts = runtime.settings.commit_attempts
    catalog = runtime.catalog_at(now)  # the version in force at the decision's instant, for all of it
    for attempt in range(attempts):
        state = runtime.users.load(user_id)
        request = _commit_request(decide(state, pending, catalog, now))
        if request.item_count > TRANSACTION_LIMIT and len(pending) > 1:
            # Too much happened at once (many unlocks, boards, deadlines): commit in halves.
            half = len(pending) // 2
            split(user_id, pending[:half], runtime, now, outcome)
            split(user_id, pending[half:], runtime, now, outcome)
            return
        try:
            entry = runtime.users.commit(request, now)
        except DuplicateEvents as dup:
            # Already applied (an earlier delivery committed them): drop, reload, decide again.
            outcome.duplicates += len(dup.event_ids)
            pending = [e for e in pending if e.id not in set(dup.event_ids)]
            if not pending:
                return
            continue
        except VersionConflict:
            _backoff(attempt)
            continue
        outcome.applied += len(request.applied_event_ids)
        outcome.unlocks += request.new_unlocks
        outcome.scores += request.score_items
        if entry is not None:
            outcome.outbox.append(entry)
        return
    raise CommitConflictError(f"user {user_id}: commit kept conflicting after {attempts} attempts")


def _commit_request(decision: Decision) -> CommitRequest:
    """The transaction that persists ``decision``, as it is."""
    return CommitRequest(
        state=decision.state,
        version=decision.version,
        applied_event_ids=decision.applied_event_ids,
        event_types=decision.event_types,
        new_unlocks=decision.new_unlocks,
        domain_events=decision.domain_events,
        catalog_version=decision.catalog_version,
        ledger=decision.ledger,
        score_items=decision.score_items,
        due=decision.due,
    )


def _backoff(attempt: int) -> None:
    # Full jitter: concurrent workers on the same user spread out instead of colliding again.
    time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))

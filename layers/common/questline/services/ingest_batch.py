"""The ingest queue's consumer: parse a batch, dead-letter what can never succeed, and hand
each user's events to the write path.

A poison record never takes anything else with it: what the envelope refuses is dead-lettered at
parse time, and an event whose decision or commit fails for any reason but a transient one is
isolated by the write path, dead-lettered here as ``unprocessable``, and the rest is committed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from questline.domain.leaderboards.scores import ScoreItem
from questline.errors import PermanentEventError
from questline.models.envelope import EventEnvelope, TimeBounds, parse_queued_event
from questline.services.runtime import Runtime
from questline.services.write_path import after_commit, process_user
from questline.storage.queues import OutgoingMessage
from questline.storage.users import OutboxEntry

logger = logging.getLogger(__name__)

UNPROCESSABLE = "unprocessable"  # the dead-letter reason of an event no decision can take


@dataclass(frozen=True)
class InboundRecord:
    """One queue message: its id (for partial batch failures) and raw body."""

    message_id: str
    body: str


@dataclass
class BatchOutcome:
    failed_message_ids: list[str] = field(default_factory=list)
    dead_lettered: dict[str, str] = field(default_factory=dict)  # message id -> reason
    applied: int = 0
    duplicates: int = 0


def process_batch(records: Sequence[InboundRecord], runtime: Runtime) -> BatchOutcome:
    """Process a queue batch; the outcome lists the messages SQS must deliver again."""
    now = runtime.clock()
    outcome = BatchOutcome()
    by_user: dict[str, list[tuple[InboundRecord, EventEnvelope]]] = {}
    rejected: list[tuple[InboundRecord, PermanentEventError]] = []
    bounds = _bounds(runtime, now)
    for record in records:
        try:
            event = parse_queued_event(record.body, bounds)
        except PermanentEventError as exc:
            rejected.append((record, exc))
            continue
        except Exception as exc:  # a record the parser itself trips on fails the same way each time
            logger.exception(
                "record cannot be parsed; dead-lettered", extra={"message_id": record.message_id}
            )
            rejected.append((record, _unprocessable(exc)))
            continue
        by_user.setdefault(event.user_id, []).append((record, event))

    pending_outbox: list[OutboxEntry] = []
    pending_scores: list[ScoreItem] = []
    for user_id, items in by_user.items():
        try:
            result = process_user(user_id, [event for _, event in items], runtime, now, isolate=True)
        except Exception:
            # Only a transient failure (throttling, timeout, contention) gets here: it must not
            # hold back the rest of the batch. SQS redelivers only this user's records, and its
            # redrive policy dead-letters them if they keep failing. Markers make the retry
            # exactly-once.
            logger.exception("processing failed; records will be retried", extra={"user_id": user_id})
            outcome.failed_message_ids += [record.message_id for record, _ in items]
            continue
        outcome.applied += result.applied
        outcome.duplicates += result.duplicates
        pending_outbox += result.outbox
        pending_scores += result.scores
        causes = {event.id: _unprocessable(exc) for event, exc in result.unprocessable}
        rejected += [(record, causes[event.id]) for record, event in items if event.id in causes]

    outcome.failed_message_ids += dead_letter(rejected, runtime)
    outcome.dead_lettered = {r.message_id: e.reason for r, e in rejected}
    after_commit(pending_outbox, runtime, pending_scores)
    return outcome


def _unprocessable(exc: Exception) -> PermanentEventError:
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return PermanentEventError(UNPROCESSABLE, [{"field": "body", "message": message}])


def _bounds(runtime: Runtime, now: datetime) -> TimeBounds:
    s = runtime.settings
    return TimeBounds(now=now, max_age=s.max_event_age, max_future_skew=s.max_future_skew)


def dead_letter(rejected: Sequence[tuple[InboundRecord, PermanentEventError]], runtime: Runtime) -> list[str]:
    """Send permanent failures to the dead-letter queue with their reason; returns the message ids
    that could not be sent (those are retried, so nothing is lost)."""
    if not rejected:
        return []
    messages = [
        OutgoingMessage(
            id=record.message_id,
            body=record.body,
            attributes=_attributes(
                reason=error.reason,
                detail=error.detail[:1000],
                field=(error.field or "body")[:256],
                sourceMessageId=record.message_id,
            ),
        )
        for record, error in rejected
    ]
    for record, error in rejected:
        logger.warning("dead-lettered", extra={"message_id": record.message_id, "reason": error.reason})
    return runtime.queues.send(runtime.settings.dead_letter_queue_url, messages)


# What SQS accepts in a message attribute: tab, LF, CR and Unicode but surrogates, U+FFFE/U+FFFF.
_NOT_SQS_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _attributes(**values: str) -> dict[str, str]:
    """Attributes SQS accepts whatever a detail quotes: refused characters become U+FFFD, and an
    empty value (SQS refuses those too) is left out."""
    return {name: _NOT_SQS_TEXT.sub("\ufffd", value) for name, value in values.items() if value}

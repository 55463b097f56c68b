"""The expiry job: visits every deadline that has passed (streaks at risk, quests timing out),
found through the sparse due index, in bounded batches.

Each visit is a clock tick taking the same decide-and-commit path as events: a tick's id is
derived from the deadline, so overlapping runs and retries apply it once, and its time is the
deadline itself, so a late event racing the job is judged by event time, not by who came first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from questline.domain.clock import tick_event
from questline.domain.leaderboards.scores import ScoreItem
from questline.models.envelope import EventEnvelope
from questline.services.outbox import sweep_outbox
from questline.services.runtime import Runtime
from questline.services.write_path import after_commit, process_user
from questline.storage.users import DueItem, OutboxEntry

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass
class ExpiryResult:
    ticks: int = 0
    users: int = 0
    failed_users: int = 0
    republished: int = 0
    more: bool = False  # deadlines were left for the next run (time budget)


def run_expiry(
    runtime: Runtime, has_time: Callable[[], bool] = lambda: True, batch: int = BATCH
) -> ExpiryResult:
    """Process due deadlines batch by batch while ``has_time()``, then sweep the outbox."""
    result = ExpiryResult()
    while has_time():
        due = runtime.users.due_ticks(runtime.clock(), runtime.settings.due_lookback_days, batch)
        if not due:
            break
        _visit(due, runtime, result)
        if len(due) < batch:
            break
    else:
        result.more = True
    result.republished = sweep_outbox(runtime).published
    return result


def _visit(due: list[DueItem], runtime: Runtime, result: ExpiryResult) -> None:
    by_user: dict[str, list[EventEnvelope]] = defaultdict(list)
    for item in due:
        by_user[item.user_id].append(tick_event(item.user_id, item.key, item.at))
    outbox: list[OutboxEntry] = []
    scores: list[ScoreItem] = []
    for user_id, ticks in by_user.items():
        try:
            outcome = process_user(user_id, ticks, runtime, runtime.clock())
        except Exception:  # one user's failure must not stop the others; the item stays due
            logger.exception("expiry failed for a user; retried next run", extra={"user_id": user_id})
            result.failed_users += 1
            continue
        result.ticks += len(ticks)
        result.users += 1
        outbox += outcome.outbox
        scores += outcome.scores
    after_commit(outbox, runtime, scores)

"""Quest state and its pure transitions: attempts, steps, deadlines, pools."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from questline.domain.periods import period_end, period_index, period_label
from questline.models.quests import Quest, QuestPool

NOT_STARTED = "NOT_STARTED"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
EXPIRED = "EXPIRED"
ONE_OFF_ATTEMPT = "1"


@dataclass(frozen=True)
class QuestState:
    attempt: str = ONE_OFF_ATTEMPT  # "1", or the period label of a repeatable quest
    status: str = NOT_STARTED
    started_at: datetime | None = None
    step_started_at: datetime | None = None  # when the current step became current
    steps: dict[str, datetime] = field(default_factory=dict)  # completed step -> when
    ended_at: datetime | None = None
    completions: int = 0


def attempt_of(quest: Quest, at: datetime, tz: str, week_start: int) -> str:
    """Which attempt an instant belongs to: repeatable quests reset every day or week."""
    kind = quest.period
    if kind is None:
        return ONE_OFF_ATTEMPT
    return period_label(period_index(at, tz, kind, week_start), kind, week_start)


def current_attempt(
    quest: Quest, held: QuestState | None, at: datetime, tz: str, week_start: int
) -> QuestState:
    """The state of the attempt ``at`` belongs to: a new period starts a fresh attempt."""
    attempt = attempt_of(quest, at, tz, week_start)
    if held is None:
        return QuestState(attempt=attempt)
    if held.attempt != attempt and quest.repeat is not None and attempt > held.attempt:
        return QuestState(attempt=attempt, completions=held.completions)
    return held


def available(quest: Quest, at: datetime) -> bool:
    if quest.available_from is not None and at < quest.available_from:
        return False
    return quest.available_until is None or at < quest.available_until


def assigned(pool: QuestPool, user_id: str, period: int) -> list[str]:
    """The pool's quests for one user and period: a stable, per-user shuffle."""

    def rank(quest_id: str) -> str:
        return hashlib.sha256(f"{pool.id}\x1f{user_id}\x1f{period}\x1f{quest_id}".encode()).hexdigest()

    return sorted(pool.quests, key=rank)[: pool.pick]


def current_steps(quest: Quest, held: QuestState) -> list[str]:
    """Steps that may complete now: any incomplete step of an unordered quest; in an ordered
    quest, steps up to and including the first incomplete required one (optional steps never
    block, but cannot be done ahead of the required step before them)."""
    open_steps: list[str] = []
    for step in quest.steps:
        if step.id in held.steps:
            continue
        open_steps.append(step.id)
        if quest.ordered and not step.optional:
            break
    return open_steps


def required_done(quest: Quest, held: QuestState) -> bool:
    return all(step.id in held.steps for step in quest.steps if not step.optional)


def deadline(quest: Quest, held: QuestState, tz: str, week_start: int) -> tuple[datetime, str] | None:
    """The earliest instant an in-progress attempt fails (a step deadline: FAILED) or expires
    (time limit, end of availability, end of a repeat period: EXPIRED)."""
    if held.status != IN_PROGRESS or held.started_at is None:
        return None
    candidates: list[tuple[datetime, str]] = []
    if quest.period is not None:
        candidates.append((period_end(held.started_at, tz, quest.period, week_start), EXPIRED))
    if quest.time_limit is not None:
        candidates.append((held.started_at + timedelta(seconds=quest.time_limit.seconds), EXPIRED))
    if quest.available_until is not None:
        candidates.append((quest.available_until, EXPIRED))
    if quest.ordered and held.step_started_at is not None:
        for step_id in current_steps(quest, held):
            step = next(s for s in quest.steps if s.id == step_id)
            if step.deadline is not None and not step.optional:
                candidates.append((held.step_started_at + timedelta(seconds=step.deadline.seconds), FAILED))
    return min(candidates) if candidates else None


def start(held: QuestState, at: datetime) -> QuestState:
    return replace(held, status=IN_PROGRESS, started_at=at, step_started_at=at, steps={}, ended_at=None)


def complete_step(held: QuestState, step_id: str, at: datetime, *, advances: bool) -> QuestState:
    """Mark a step done; a required step also starts the clock of the next one."""
    return replace(
        held, steps={**held.steps, step_id: at}, step_started_at=at if advances else held.step_started_at
    )


def reopen(held: QuestState) -> QuestState:
    """Undo an expiry or failure for an event that happened before it (event time decides)."""
    completions = held.completions
    return replace(held, status=IN_PROGRESS, ended_at=None, completions=completions)


def finish(held: QuestState, status: str, at: datetime) -> QuestState:
    completions = held.completions + (1 if status == COMPLETED else 0)
    return replace(held, status=status, ended_at=at, completions=completions)

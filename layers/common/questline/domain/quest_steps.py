"""How events, requests and clock ticks move quests, and the domain events they emit (pure)."""

from __future__ import annotations

from datetime import datetime

from questline.domain.balances import credit
from questline.domain.catalog import CompiledCatalog
from questline.domain.conditions import Evaluation, holds
from questline.domain.events import matches
from questline.domain.metrics import TimeContext, record
from questline.domain.periods import period_index
from questline.domain.quests import (
    COMPLETED,
    EXPIRED,
    FAILED,
    IN_PROGRESS,
    NOT_STARTED,
    QuestState,
    assigned,
    available,
    complete_step,
    current_attempt,
    current_steps,
    deadline,
    finish,
    reopen,
    required_done,
    start,
)
from questline.domain.state import DomainEvent, UserState
from questline.models.catalog import POINTS
from questline.models.criteria import Metric, MetricCondition, iter_conditions
from questline.models.envelope import EventEnvelope
from questline.models.quests import Quest, QuestStep

QUEST_START_TYPE = "questline.quest.started"
QUEST_STEP_TYPE = "questline.quest.step.completed"


def scope(quest: Quest) -> str:
    return f"q:{quest.id}"


def step_scope(quest: Quest, step: QuestStep) -> str:
    return f"{scope(quest)}/{step.id}"


def step_metrics(step: QuestStep) -> list[Metric]:
    if step.criteria is None:
        return []
    return [n.metric for n in iter_conditions(step.criteria) if isinstance(n, MetricCondition)]


def eligible(
    quest: Quest, state: UserState, catalog: CompiledCatalog, time: TimeContext, at: datetime
) -> bool:
    """Available now, assigned to this user this period if it rotates in a pool, and its
    prerequisites met."""
    if not available(quest, at):
        return False
    for pool in catalog.catalog.quest_pools:
        if quest.id in pool.quests:
            period = period_index(at, time.tz, pool.period, time.week_start)
            if quest.id not in assigned(pool, state.user_id, period):
                return False
    if quest.requires is None:
        return True
    return holds(quest.requires, Evaluation(state, at, time, streaks=catalog.streaks_by_id))


def advance_quests(
    state: UserState,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> set[str]:
    """Apply one event (or start/complete request) to every quest; returns the quests changed."""
    changed: set[str] = set()
    for quest in catalog.quests_for(event.type, event.payload.get("questId")):
        before = state.quests.get(quest.id)
        after = _advance(quest, before, state, event, catalog, time, emitted)
        if after is not None and after != before:
            state.quests[quest.id] = after
            changed.add(quest.id)
    return changed


def _advance(
    quest: Quest,
    before: QuestState | None,
    state: UserState,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> QuestState | None:
    at = event.timestamp
    held = current_attempt(quest, before, at, time.tz, time.week_start)
    if held.status in (EXPIRED, FAILED) and held.ended_at is not None and at < held.ended_at:
        held = reopen(held)  # it happened in time; expire_overdue ends it again if still unfinished
    held = _expire_if_due(quest, held, state, at, event, time, emitted)
    targeted = event.payload.get("questId") == quest.id
    if held.status == NOT_STARTED and eligible(quest, state, catalog, time, at):
        explicit = event.type == QUEST_START_TYPE and targeted
        automatic = quest.start == "auto" and any(
            matches(m.events, event) for step in quest.steps for m in step_metrics(step)
        )
        if explicit or automatic:
            held = start(held, at)
            _forget_metrics(state, quest)
            emitted.append(_event("QuestStarted", state, quest, held, at, event, {}))
    if held.status != IN_PROGRESS:
        return held if held != before else before
    _record(quest, held, state, event, time)
    manual = event.payload.get("stepId") if event.type == QUEST_STEP_TYPE and targeted else None
    return _complete_steps(quest, held, state, event, catalog, time, emitted, manual)


def _expire_if_due(
    quest: Quest,
    held: QuestState,
    state: UserState,
    at: datetime,
    cause: EventEnvelope,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> QuestState:
    due = deadline(quest, held, time.tz, time.week_start)
    if due is None or at < due[0]:
        return held
    ended = finish(held, due[1], due[0])
    name = "QuestFailed" if due[1] == "FAILED" else "QuestExpired"
    emitted.append(_event(name, state, quest, ended, due[0], cause, {"status": due[1]}))
    return ended


def _record(
    quest: Quest, held: QuestState, state: UserState, event: EventEnvelope, time: TimeContext
) -> None:
    """Count the event for the steps open now: in an ordered quest a step counts only what
    happens once it is current."""
    open_steps = set(current_steps(quest, held))
    for step in quest.steps:
        if step.id not in open_steps:
            continue
        prefix = step_scope(quest, step)
        for metric in step_metrics(step):
            if matches(metric.events, event):
                key = f"{prefix}/{metric.key}"
                recorded = record(state.metrics.get(key), metric, event, time)
                if recorded is not None:
                    state.metrics[key] = recorded


def _forget_metrics(state: UserState, quest: Quest) -> None:
    prefix = scope(quest) + "/"
    for key in [k for k in state.metrics if k.startswith(prefix)]:
        del state.metrics[key]


def _complete_steps(
    quest: Quest,
    held: QuestState,
    state: UserState,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
    manual: object,
) -> QuestState:
    at = event.timestamp
    progressed = True
    while progressed and held.status == IN_PROGRESS:
        progressed = False
        for step_id in current_steps(quest, held):
            step = next(s for s in quest.steps if s.id == step_id)
            ev = Evaluation(state, at, time, streaks=catalog.streaks_by_id, scope=step_scope(quest, step))
            done = (step.client_completable and manual == step.id) or (
                step.criteria is not None and holds(step.criteria, ev)
            )
            if not done:
                continue
            held = complete_step(held, step.id, at, advances=not step.optional)
            for reward in step.rewards:
                credit(state, reward.currency, reward.amount, event, catalog, emitted)
            emitted.append(_event("QuestStepCompleted", state, quest, held, at, event, {"stepId": step.id}))
            progressed = True
        if required_done(quest, held):
            held = finish(held, COMPLETED, at)
            credit(state, POINTS, quest.points, event, catalog, emitted)
            for reward in quest.rewards:
                credit(state, reward.currency, reward.amount, event, catalog, emitted)
            emitted.append(_event("QuestCompleted", state, quest, held, at, event, {"points": quest.points}))
    return held


def close_quests(
    state: UserState,
    tick: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> set[str]:
    """At a clock tick: attempts past their deadline fail or expire (exactly once)."""
    return expire_overdue(state, tick, tick.timestamp, catalog, time, emitted)


def expire_overdue(
    state: UserState,
    cause: EventEnvelope,
    now: datetime,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> set[str]:
    """End every attempt whose deadline is at or before ``now``, at its deadline."""
    changed: set[str] = set()
    for quest_id, held in list(state.quests.items()):  # the user's quests, not the whole catalog
        quest = catalog.quests_by_id.get(quest_id)
        if quest is None:
            continue
        after = _expire_if_due(quest, held, state, now, cause, time, emitted)
        if after != held:
            state.quests[quest.id] = after
            changed.add(quest.id)
    return changed


def quest_deadlines(
    state: UserState, quest_ids: set[str], catalog: CompiledCatalog, time: TimeContext
) -> dict[str, datetime | None]:
    by_id = {q.id: q for q in catalog.catalog.quests}
    found: dict[str, datetime | None] = {}
    for quest_id in quest_ids:
        quest = by_id.get(quest_id)
        if quest is not None:
            due = deadline(quest, state.quests[quest_id], time.tz, time.week_start)
            found[f"QUEST#{quest_id}"] = None if due is None else due[0]
    return found


def _event(
    name: str,
    state: UserState,
    quest: Quest,
    held: QuestState,
    at: datetime,
    cause: EventEnvelope,
    extra: dict[str, object],
) -> DomainEvent:
    subject = f"{quest.id}:{held.attempt}:{extra.get('stepId', '')}"
    detail = {"questId": quest.id, "attempt": held.attempt, "status": held.status, **extra}
    return DomainEvent.make(name, state.user_id, subject, at, detail, (cause.id,))

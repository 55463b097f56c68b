"""How events, requests and clock ticks move quests, and the domain events they emit (pure)."""

from __future__ import annotations

from datetime import datetime

from questline.domain.balances import credit
from questline.domain.catalog import CompiledCatalog
from questline.domain.clock import QUEST, DueKey
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
from questline.domain.step import NOTHING, Effects, Step
from questline.models.catalog import POINTS
from questline.models.criteria import Metric, MetricCondition, iter_conditions
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


def advance_quests(step: Step) -> Effects:
    """Apply one event (or start/complete request) to every quest; ``changed`` holds the quests
    changed."""
    state, event, catalog = step.state, step.event, step.catalog
    if not catalog.quests_by_id:
        return NOTHING  # free for catalogs without quests: no lookup, nothing built
    quests = catalog.quests_for(event.type, event.payload.get("questId"))
    if not quests:
        return NOTHING
    changed: set[str] = set()
    emitted: list[DomainEvent] = []
    for quest in quests:
        before = state.quests.get(quest.id)
        after, events = _advance(step, quest, before)
        emitted += events
        if after is not None and after != before:
            state.quests[quest.id] = after
            changed.add(quest.id)
    return Effects(changed, emitted)


def _advance(
    step: Step, quest: Quest, before: QuestState | None
) -> tuple[QuestState | None, list[DomainEvent]]:
    """The quest's state after the step's event (None: untouched), and the domain events."""
    state, event, catalog, time = step.state, step.event, step.catalog, step.time
    at = event.timestamp
    held = current_attempt(quest, before, at, time.tz, time.week_start)
    if held.status in (EXPIRED, FAILED) and held.ended_at is not None and at < held.ended_at:
        held = reopen(held)  # it happened in time; expire_overdue ends it again if still unfinished
    held, ended = _expire_if_due(step, quest, held, at)
    emitted = [ended] if ended is not None else []
    targeted = event.payload.get("questId") == quest.id
    if held.status == NOT_STARTED and eligible(quest, state, catalog, time, at):
        explicit = event.type == QUEST_START_TYPE and targeted
        automatic = quest.start == "auto" and any(
            matches(m.events, event) for s in quest.steps for m in step_metrics(s)
        )
        if explicit or automatic:
            held = start(held, at)
            _forget_metrics(state, quest)
            emitted.append(_event(step, "QuestStarted", quest, held, at, {}))
    if held.status != IN_PROGRESS:
        return (held if held != before else before), emitted
    _record(step, quest, held)
    manual = event.payload.get("stepId") if event.type == QUEST_STEP_TYPE and targeted else None
    held, completed = _complete_steps(step, quest, held, manual)
    return held, emitted + completed


def _expire_if_due(
    step: Step, quest: Quest, held: QuestState, at: datetime
) -> tuple[QuestState, DomainEvent | None]:
    """The attempt ended at its deadline if ``at`` is past it, with the QuestFailed or
    QuestExpired it emits."""
    time = step.time
    due = deadline(quest, held, time.tz, time.week_start)
    if due is None or at < due[0]:
        return held, None
    ended = finish(held, due[1], due[0])
    name = "QuestFailed" if due[1] == "FAILED" else "QuestExpired"
    return ended, _event(step, name, quest, ended, due[0], {"status": due[1]})


def _record(step: Step, quest: Quest, held: QuestState) -> None:
    """Count the event for the steps open now: in an ordered quest a step counts only what
    happens once it is current."""
    state, event, time = step.state, step.event, step.time
    open_steps = set(current_steps(quest, held))
    for quest_step in quest.steps:
        if quest_step.id not in open_steps:
            continue
        prefix = step_scope(quest, quest_step)
        for metric in step_metrics(quest_step):
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
    step: Step, quest: Quest, held: QuestState, manual: object
) -> tuple[QuestState, list[DomainEvent]]:
    state, catalog, time = step.state, step.catalog, step.time
    at = step.event.timestamp
    emitted: list[DomainEvent] = []
    progressed = True
    while progressed and held.status == IN_PROGRESS:
        progressed = False
        for step_id in current_steps(quest, held):
            quest_step = next(s for s in quest.steps if s.id == step_id)
            ev = Evaluation(
                state, at, time, streaks=catalog.streaks_by_id, scope=step_scope(quest, quest_step)
            )
            done = (quest_step.client_completable and manual == quest_step.id) or (
                quest_step.criteria is not None and holds(quest_step.criteria, ev)
            )
            if not done:
                continue
            held = complete_step(held, quest_step.id, at, advances=not quest_step.optional)
            for reward in quest_step.rewards:
                emitted += credit(step, reward.currency, reward.amount)
            emitted.append(_event(step, "QuestStepCompleted", quest, held, at, {"stepId": quest_step.id}))
            progressed = True
        if required_done(quest, held):
            held = finish(held, COMPLETED, at)
            emitted += credit(step, POINTS, quest.points)
            for reward in quest.rewards:
                emitted += credit(step, reward.currency, reward.amount)
            emitted.append(_event(step, "QuestCompleted", quest, held, at, {"points": quest.points}))
    return held, emitted


def close_quests(tick: Step) -> Effects:
    """At a clock tick: attempts past their deadline fail or expire (exactly once)."""
    return expire_overdue(tick, tick.event.timestamp)


def expire_overdue(step: Step, now: datetime) -> Effects:
    """End every attempt whose deadline is at or before ``now``, at its deadline (the step's
    event is the cause); ``changed`` holds the quests ended."""
    state = step.state
    if not state.quests:
        return NOTHING
    changed: set[str] = set()
    emitted: list[DomainEvent] = []
    for quest_id, held in list(state.quests.items()):  # the user's quests, not the whole catalog
        quest = step.catalog.quests_by_id.get(quest_id)
        if quest is None:
            continue
        after, ended = _expire_if_due(step, quest, held, now)
        if ended is not None:
            emitted.append(ended)
        if after != held:
            state.quests[quest.id] = after
            changed.add(quest.id)
    return Effects(changed, emitted)


def quest_deadlines(step: Step, quest_ids: set[str]) -> dict[DueKey, datetime | None]:
    """When the clock must next look at each changed quest (None: never)."""
    time = step.time
    by_id = {q.id: q for q in step.catalog.catalog.quests}
    found: dict[DueKey, datetime | None] = {}
    for quest_id in quest_ids:
        quest = by_id.get(quest_id)
        if quest is not None:
            due = deadline(quest, step.state.quests[quest_id], time.tz, time.week_start)
            found[DueKey(QUEST, quest_id)] = None if due is None else due[0]
    return found


def _event(
    step: Step, name: str, quest: Quest, held: QuestState, at: datetime, extra: dict[str, object]
) -> DomainEvent:
    subject = f"{quest.id}:{held.attempt}:{extra.get('stepId', '')}"
    detail = {"questId": quest.id, "attempt": held.attempt, "status": held.status, **extra}
    return DomainEvent.make(name, step.state.user_id, subject, at, detail, (step.event.id,))

"""Quests and streaks as users see them, and the two quest requests users make (start, and
completing a client-completable step), applied through the decide-and-commit path."""

from __future__ import annotations

from datetime import datetime

from questline.domain.catalog import CompiledCatalog
from questline.domain.conditions import Evaluation, progress_ratio
from questline.domain.metrics import TimeContext
from questline.domain.periods import period_label
from questline.domain.quest_steps import QUEST_START_TYPE, QUEST_STEP_TYPE, eligible, step_scope
from questline.domain.quests import (
    IN_PROGRESS,
    NOT_STARTED,
    QuestState,
    current_attempt,
    current_steps,
    deadline,
)
from questline.domain.state import UserState
from questline.domain.streaks import StreakState, at_risk, open_period, status
from questline.errors import ConflictError, NotFoundError, RequestRejected
from questline.models.api import QuestList, QuestStepView, QuestView, StreakList, StreakView
from questline.models.envelope import EventEnvelope
from questline.models.quests import Quest
from questline.services.runtime import Runtime
from questline.services.write_path import after_commit, process_user


def _time(state: UserState, catalog: CompiledCatalog) -> TimeContext:
    return TimeContext(state.time_zone or catalog.default_time_zone, catalog.week_start)


def list_quests(user_id: str, runtime: Runtime) -> QuestList:
    """Every quest the user has, or may start now (pool quests only when assigned)."""
    state, catalog, now = runtime.users.load(user_id), runtime.catalog, runtime.clock()
    views = []
    for quest in catalog.catalog.quests:
        view = quest_view(quest, state, catalog, now)
        if view.status != NOT_STARTED or view.available:
            views.append(view)
    return QuestList(user_id=user_id, quests=views)


def quest_view(quest: Quest, state: UserState, catalog: CompiledCatalog, now: datetime) -> QuestView:
    time = _time(state, catalog)
    held = current_attempt(quest, state.quests.get(quest.id), now, time.tz, time.week_start)
    due = deadline(quest, held, time.tz, time.week_start)
    return QuestView(
        id=quest.id,
        title=quest.title,
        description=quest.description,
        status=held.status,
        attempt=held.attempt,
        start=quest.start,
        ordered=quest.ordered,
        available=held.status == NOT_STARTED and eligible(quest, state, catalog, time, now),
        started_at=held.started_at,
        deadline=due[0] if due else None,
        completions=held.completions,
        steps=[
            _step_view(quest, step_index, held, state, catalog, time, now)
            for step_index in range(len(quest.steps))
        ],
    )


def _step_view(
    quest: Quest,
    index: int,
    held: QuestState,
    state: UserState,
    catalog: CompiledCatalog,
    time: TimeContext,
    now: datetime,
) -> QuestStepView:
    step = quest.steps[index]
    done = step.id in held.steps
    percent = 100.0
    if not done:
        percent = 0.0
        if held.status == IN_PROGRESS and step.criteria is not None:
            ev = Evaluation(state, now, time, streaks=catalog.streaks_by_id, scope=step_scope(quest, step))
            percent = round(100 * progress_ratio(step.criteria, ev), 2)
    return QuestStepView(
        id=step.id,
        title=step.title,
        optional=step.optional,
        client_completable=step.client_completable,
        completed=done,
        completed_at=held.steps.get(step.id),
        percent=percent,
    )


def start_quest(user_id: str, quest_id: str, runtime: Runtime) -> QuestView:
    """Start a quest now; starting one already in progress changes nothing."""
    quest, state, now = _quest(quest_id, runtime), runtime.users.load(user_id), runtime.clock()
    time = _time(state, runtime.catalog)
    held = current_attempt(quest, state.quests.get(quest.id), now, time.tz, time.week_start)
    if held.status == NOT_STARTED and not eligible(quest, state, runtime.catalog, time, now):
        raise ConflictError(f"quest {quest_id!r} is not available to this user now")
    if held.status not in (NOT_STARTED, IN_PROGRESS):
        raise ConflictError(f"quest {quest_id!r} is {held.status} for this {_attempt_word(quest)}")
    _apply(
        user_id, f"quest-start:{quest.id}:{held.attempt}", QUEST_START_TYPE, {"questId": quest.id}, runtime
    )
    return quest_view(quest, runtime.users.load(user_id), runtime.catalog, now)


def complete_step(user_id: str, quest_id: str, step_id: str, runtime: Runtime) -> QuestView:
    """Complete a client-completable step of a quest in progress (in order, if ordered)."""
    quest, state, now = _quest(quest_id, runtime), runtime.users.load(user_id), runtime.clock()
    step = next((s for s in quest.steps if s.id == step_id), None)
    if step is None:
        raise NotFoundError(f"quest {quest_id!r} has no step {step_id!r}")
    if not step.client_completable:
        message = "this step completes from events, not from the client"
        raise RequestRejected(message, [{"field": "stepId", "message": message}])
    time = _time(state, runtime.catalog)
    held = current_attempt(quest, state.quests.get(quest.id), now, time.tz, time.week_start)
    if held.status != IN_PROGRESS:
        raise ConflictError(f"quest {quest_id!r} is {held.status}, not IN_PROGRESS")
    if step_id not in held.steps and step_id not in current_steps(quest, held):
        raise ConflictError("complete the earlier steps of this ordered quest first")
    payload = {"questId": quest.id, "stepId": step_id}
    _apply(user_id, f"quest-step:{quest.id}:{held.attempt}:{step_id}", QUEST_STEP_TYPE, payload, runtime)
    return quest_view(quest, runtime.users.load(user_id), runtime.catalog, now)


def _quest(quest_id: str, runtime: Runtime) -> Quest:
    quest = next((q for q in runtime.catalog.catalog.quests if q.id == quest_id), None)
    if quest is None:
        raise NotFoundError(f"no quest {quest_id!r}")
    return quest


def _attempt_word(quest: Quest) -> str:
    return {"daily": "day", "weekly": "week"}.get(quest.repeat or "", "user")


def _apply(user_id: str, event_id: str, event_type: str, payload: dict[str, str], runtime: Runtime) -> None:
    now = runtime.clock()
    request = EventEnvelope(
        id=event_id, type=event_type, user_id=user_id, timestamp=now, version="1.0", payload=dict(payload)
    )
    outcome = process_user(user_id, [request], runtime, now)
    after_commit(outcome.outbox, runtime, outcome.scores)


def list_streaks(user_id: str, runtime: Runtime) -> StreakList:
    """Current and longest streaks, freezes held, when each is next at risk."""
    state, catalog, now = runtime.users.load(user_id), runtime.catalog, runtime.clock()
    time = _time(state, catalog)
    views = []
    for streak in catalog.catalog.streaks:
        held = state.streaks.get(streak.id, StreakState())
        open_at = open_period(streak, now, time.tz, time.week_start)
        now_status = status(streak, held, open_at)
        views.append(
            StreakView(
                id=streak.id,
                title=streak.title,
                period=streak.period,
                current=now_status.current,
                longest=now_status.longest,
                freezes=now_status.freezes,
                at_risk_at=at_risk(streak, held, open_at, time.tz, time.week_start),
                recent=[period_label(p, streak.period, time.week_start) for p in held.history],
            )
        )
    return StreakList(user_id=user_id, streaks=views)

"""Each user's score on each board and period, kept in the user's state by the decide step (pure).

``state.boards[board][period] = {"s": score, "t": reached (epoch s), "p": metric partial}``.
Scores are absolute, so the score items written with the commit and the Redis members written
after it carry totals, never increments: replays, retries and rebuilds converge.

* A currency board ranks what was earned in the period (and scope); an all-time global board
  ranks the balance itself, so users who earned before the board existed appear at their next
  event with their whole total.
* A metric board aggregates the metric's matching events within the period.
* Events count by event time. An event for a period past its close (end + grace) counts on no
  board; a user keeps the newest two periods of a board (the open one and the one in grace).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from questline.domain.catalog import CompiledCatalog
from questline.domain.clock import TICK_EVENT_TYPE
from questline.domain.events import matches
from questline.domain.leaderboards.order import clamp_score, pack
from questline.domain.leaderboards.specs import ALL_TIME, BoardSpec, compile_boards
from questline.domain.metrics import add_to_partial, contribution, value_of
from questline.domain.state import UserState
from questline.models.envelope import EventEnvelope

Entry = dict[str, Any]
PERIODS_KEPT = 2


@dataclass(frozen=True)
class ScoreItem:
    """One user's absolute standing on one board period, as committed (version: the profile's)."""

    board_id: str
    period: str
    user_id: str
    score: int
    reached: int
    packed: int
    version: int
    excluded: bool
    expires_at: int | None
    dense: bool


def tracked_balances(state: UserState, catalog: CompiledCatalog) -> dict[str, int]:
    """The balances some board ranks, before an event (empty, and free, without boards)."""
    return {c: state.balance(c) for c in compile_boards(catalog).currencies}


def record_boards(
    state: UserState, event: EventEnvelope, catalog: CompiledCatalog, before: dict[str, int], now: datetime
) -> None:
    """Update the user's board scores for one applied event; ``before`` from tracked_balances."""
    for spec in compile_boards(catalog).specs:
        if _in_scope(spec, event):
            _record(spec, state, event, before, now)


def _in_scope(spec: BoardSpec, event: EventEnvelope) -> bool:
    scope = spec.board.scope
    if scope.journey is not None and event.journey != scope.journey:
        return False
    return scope.category is None or event.payload.get("category") == scope.category


def _record(
    spec: BoardSpec, state: UserState, event: EventEnvelope, before: dict[str, int], now: datetime
) -> None:
    period = spec.period_at(event.timestamp)
    closes = spec.closes_at(period)
    if closes is not None and now >= closes:
        return  # too late: the period is closed (or closing job due)
    entries = state.boards.get(spec.id, {})
    if period.index is not None and entries:
        newest = max(spec.period_of_key(k).index or 0 for k in entries)
        if period.index < newest - PERIODS_KEPT + 1:
            return  # older than any period the user still keeps
    old = entries.get(period.key)
    new = _next_entry(spec, old, state, event, before)
    if new is None or new == old:
        return
    updated = {**entries, period.key: new}
    if period.index is not None:
        newest = max(spec.period_of_key(k).index or 0 for k in updated)
        updated = {
            k: v for k, v in updated.items() if (spec.period_of_key(k).index or 0) > newest - PERIODS_KEPT
        }
    state.boards[spec.id] = updated  # replaced, never mutated: UserState.copy is shallow


def _next_entry(
    spec: BoardSpec, old: Entry | None, state: UserState, event: EventEnvelope, before: dict[str, int]
) -> Entry | None:
    stamp = int(event.timestamp.timestamp())
    reached = max(stamp, old["t"]) if old else stamp
    currency = spec.board.score.currency
    if currency is not None:
        balance = state.balance(currency)
        if spec.board.ranks_balance:
            score = clamp_score(balance)
            return None if old and old["s"] == score else {"s": score, "t": reached}
        earned = balance - before.get(currency, balance)
        if earned <= 0:
            return None
        return {"s": clamp_score((old["s"] if old else 0) + earned), "t": reached}
    metric = spec.board.score.metric
    assert metric is not None
    if event.type == TICK_EVENT_TYPE or not matches(metric.events, event):
        return None  # clock ticks are not activity, as for the rules engine's metrics
    value = contribution(metric, event)
    if value is None:
        return None
    partial = _copy_partial(old["p"]) if old else {}
    add_to_partial(partial, metric, value, event.timestamp)
    if metric.aggregate != "count":
        partial.pop("c", None)  # unused by other aggregates; keeps unchanged scores unwritten
    total = value_of([partial], metric)
    if total is None:
        return None
    score = clamp_score(total)
    if old and old["s"] == score:
        return {**old, "p": partial}
    if metric.aggregate in ("min", "max"):
        reached = stamp  # the new extreme was reached by this very event
    elif metric.aggregate == "last":
        reached = int(partial["lt"])
    return {"s": score, "t": reached, "p": partial}


def _copy_partial(partial: Entry) -> Entry:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in partial.items()}


def score_items(before: UserState, after: UserState, catalog: CompiledCatalog) -> list[ScoreItem]:
    """The score items a commit of ``after`` (decided from ``before``) must write: every board
    period whose score or tie-break instant changed, or all of them when the user's exclusion
    changed. Their version is the profile version the commit writes."""
    boards = compile_boards(catalog)
    everything = before.board_excluded != after.board_excluded
    items: list[ScoreItem] = []
    for board_id, entries in after.boards.items():
        spec = boards.by_id.get(board_id)
        if spec is None:
            continue  # the board left the catalog
        old = before.boards.get(board_id, {})
        for key, entry in entries.items():
            previous = old.get(key)
            if not everything and previous and (previous["s"], previous["t"]) == (entry["s"], entry["t"]):
                continue
            items.append(item_for(spec, key, after, entry["s"], entry["t"], after.version + 1))
    return items


def item_for(
    spec: BoardSpec, key: str, state: UserState, score: int, reached: int, version: int
) -> ScoreItem:
    """The score item of one board period of ``state``'s user."""
    period = spec.period_of_key(key)
    expires = spec.expires_at(period)
    return ScoreItem(
        board_id=spec.id,
        period=ALL_TIME if period.index is None else period.key,
        user_id=state.user_id,
        score=score,
        reached=reached,
        packed=pack(spec, period, score, reached),
        version=version,
        excluded=state.board_excluded,
        expires_at=None if expires is None else int(expires.timestamp()),
        dense=spec.board.dense_index,
    )

"""Moderation: excluding a user from every board and period at once, and lifting it.

The flag lives in the user's state, so it is committed like any change (version-checked) and
every later commit of the user keeps their score items out of the board index and removes them
from Redis: a rebuild never brings them back. Their scores keep counting while excluded, so
lifting restores them. Score items of periods the state no longer holds (closed, retained) are
rewritten conditionally on their version. Closing snapshots already taken stay as they were:
prizes paid are history.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

from questline.domain.leaderboards.scores import ScoreItem, item_for, score_items
from questline.domain.leaderboards.specs import compile_boards
from questline.domain.state import LedgerEntry, UserState
from questline.errors import CommitConflictError
from questline.models.leaderboards.api import Exclusion, ExclusionList, ExclusionResult
from questline.services.runtime import Runtime
from questline.storage.leaderboards.mirror import mirror_scores
from questline.storage.users import CommitRequest, VersionConflict


def set_exclusion(runtime: Runtime, user_id: str, excluded: bool, actor: str, reason: str) -> ExclusionResult:
    """Exclude (or re-admit) a user on every board; idempotent."""
    now = runtime.clock()
    catalog = runtime.catalog
    for attempt in range(runtime.settings.commit_attempts):
        state = runtime.users.load(user_id)
        if state.board_excluded == excluded:
            # Nothing to commit; mirror again at the stored version in case Redis missed it.
            items = _state_items(runtime, state, state.version)
            break
        new = state.copy()
        new.board_excluded = excluded
        items = score_items(state, new, catalog)
        action = "board-exclude" if excluded else "board-lift"
        version = state.version + 1
        request = CommitRequest(
            state=new,
            version=version,
            applied_event_ids=[],
            event_types={},
            new_unlocks=[],
            domain_events=[],
            catalog_version=catalog.version,
            ledger=[
                LedgerEntry(f"{action}-{version}", now, {"action": action, "actor": actor, "reason": reason})
            ],
            score_items=items,
        )
        try:
            runtime.users.commit(request, now)
        except VersionConflict:
            time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))
            continue
        state = replace(new, version=version)  # the items' version, as now stored
        break
    else:
        raise CommitConflictError(f"user {user_id}: exclusion kept conflicting")
    items += _retained_items(runtime, state, {(i.board_id, i.period) for i in items})
    mirror_scores(items, runtime.board_cache)
    archive = runtime.board_store.archive
    if excluded:
        archive.put_exclusion(user_id, actor, reason, now)
    else:
        archive.delete_exclusion(user_id)
    return ExclusionResult(user_id=user_id, excluded=excluded, score_items=len(items))


def _state_items(runtime: Runtime, state: UserState, version: int) -> list[ScoreItem]:
    boards = compile_boards(runtime.catalog).by_id
    return [
        item_for(boards[board_id], key, state, entry["s"], entry["t"], version)
        for board_id, entries in state.boards.items()
        if board_id in boards
        for key, entry in entries.items()
    ]


def _retained_items(runtime: Runtime, state: UserState, seen: set[tuple[str, str]]) -> list[ScoreItem]:
    """Score items of periods the state no longer holds, rewritten with the exclusion flag
    unless a newer commit wrote them meanwhile."""
    boards = compile_boards(runtime.catalog).by_id
    archive = runtime.board_store.archive
    rewritten = []
    for stored in runtime.board_store.user_scores(state.user_id):
        board_id, period = stored.board_id, stored.period
        if (board_id, period) in seen or board_id not in boards:
            continue
        spec = boards[board_id]
        item = item_for(spec, period, state, stored.score, stored.reached, state.version)
        if archive.rewrite_score(item):
            rewritten.append(item)
    return rewritten


def list_exclusions(runtime: Runtime) -> ExclusionList:
    """Every user currently kept off the boards."""
    found = [
        Exclusion(user_id=e.user_id, actor=e.actor, reason=e.reason, at=e.at)
        for e in runtime.board_store.archive.exclusions()
    ]
    return ExclusionList(exclusions=found)

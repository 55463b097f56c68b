"""Reading a board: the top N (paged) and a user's neighbourhood ("around me").

Redis answers when it is up and complete (rebuilt since it was last emptied). Otherwise the
answer comes from DynamoDB's board index, marked degraded; a closed period's top pages come
from its snapshot. Every read returns ``(response, degraded reason or None)``.
"""

from __future__ import annotations

from questline.domain.leaderboards.order import Ranked, band_floor, band_of, rank_rows, sort_key
from questline.domain.leaderboards.specs import BoardPeriod, BoardSpec
from questline.models.leaderboards.api import AroundMe, BoardPage
from questline.services.leaderboards.views import (
    RANK_COUNT_BUDGET,
    REDIS_NOT_READY,
    REDIS_UNAVAILABLE,
    Cursor,
    entry,
    period_info,
    resolve_board,
    resolve_period,
)
from questline.services.runtime import Runtime
from questline.storage.leaderboards.redis import CacheUnavailable

Rows = list[tuple[str, int]]


def read_top(
    runtime: Runtime, board_id: str, period_key: str | None, limit: int, cursor: str | None
) -> tuple[BoardPage, str | None]:
    """A page of the board in order; ``cursor`` continues where the previous page stopped."""
    spec = resolve_board(runtime, board_id)
    now = runtime.clock()
    period = resolve_period(spec, period_key, now)
    after = Cursor.decode(cursor, period) if cursor else None
    start = after.position if after else 0
    source, reason, total = "redis", None, None
    ranked: list[Ranked] | None = None
    more = False
    if spec.status(period, now) == "closed":
        snapshot = runtime.board_store.archive.snapshot(spec.id, period.key)
        if snapshot is not None:
            rows = [(u, p) for u, p, _ in snapshot.entries]
            ranks = [r for _, _, r in snapshot.entries]
            page = rows[start : start + limit]
            before = rows[start - 1][1] if start else None
            nxt = rows[start + limit][1] if start + limit < len(rows) else None
            ranked = rank_rows(spec, page, start + 1, ranks[start] if page else None, before, nxt)
            source, total, more = "snapshot", snapshot.total, nxt is not None
    if ranked is None:
        try:
            ranked, total, more, reason = _redis_top(runtime, spec, period, start, limit)
        except CacheUnavailable:
            reason = REDIS_UNAVAILABLE
        if reason is not None:
            source, total = "dynamodb", None
            ranked, more = _dynamo_top(runtime, spec, period, start, limit, after)
    assert ranked is not None
    last = ranked[-1] if ranked else None
    next_cursor = None
    if more and last is not None:
        next_cursor = Cursor(
            period.key, last.position, sort_key(last.packed, last.user_id), last.rank, band_of(last.packed)
        ).encode()
    page_model = BoardPage(
        board_id=spec.id,
        title=spec.board.title,
        period=period_info(spec, period, now),
        source=source,
        degraded=reason is not None,
        total=total,
        entries=[entry(spec, period, r) for r in ranked],
        next_cursor=next_cursor,
    )
    return page_model, reason


def _redis_top(
    runtime: Runtime, spec: BoardSpec, period: BoardPeriod, start: int, limit: int
) -> tuple[list[Ranked], int | None, bool, str | None]:
    cache = runtime.board_cache
    ready, rows, low, total = cache.top(spec.id, period.key, start, limit)
    if not ready:
        return [], None, False, REDIS_NOT_READY
    offset = start - low
    page = rows[offset : offset + limit]
    before = rows[0][1] if offset else None
    nxt = rows[offset + limit][1] if len(rows) > offset + limit else None
    first_rank = _shared_rank(runtime, spec, period, page[0][1]) if page else None
    return rank_rows(spec, page, start + 1, first_rank, before, nxt), total, nxt is not None, None


def _shared_rank(runtime: Runtime, spec: BoardSpec, period: BoardPeriod, packed: int) -> int | None:
    """The rank of a row's score band when ties share ranks (None otherwise: ranks are positions)."""
    board = spec.board
    if board.tie_break != "none":
        return None
    [(_, rank)] = runtime.board_cache.band_stats([(spec.id, period.key, band_of(packed), board.ranking)])
    return rank


def _dynamo_top(
    runtime: Runtime, spec: BoardSpec, period: BoardPeriod, start: int, limit: int, after: Cursor | None
) -> tuple[list[Ranked], bool]:
    rows = runtime.board_store.best(spec.id, period.key, limit + 1, below=after.key if after else None)
    page = [(r.user_id, r.packed) for r in rows[:limit]]
    first_rank: int | None = 1
    before = None
    if after is not None:
        before = band_floor(after.band)
        if page and band_of(page[0][1]) == after.band:
            first_rank = after.rank
        elif spec.board.ranking == "dense":
            first_rank = None if after.rank is None else after.rank + 1
        else:
            first_rank = start + 1
    nxt = rows[limit].packed if len(rows) > limit else None
    return rank_rows(spec, page, start + 1, first_rank, before, nxt), nxt is not None


def read_around(
    runtime: Runtime, board_id: str, user_id: str, period_key: str | None, neighbours: int
) -> tuple[AroundMe, str | None]:
    """The user's entry with up to ``neighbours`` entries above and below."""
    spec = resolve_board(runtime, board_id)
    now = runtime.clock()
    period = resolve_period(spec, period_key, now)
    source, reason, total = "redis", None, None
    try:
        ranked, total, reason = _redis_around(runtime, spec, period, user_id, neighbours)
    except CacheUnavailable:
        reason = REDIS_UNAVAILABLE
    known = True
    if reason is not None:
        source, total = "dynamodb", None
        ranked, known = _dynamo_around(runtime, spec, period, user_id, neighbours)
    entries = [entry(spec, period, r, known) for r in ranked]
    me = next((e for e in entries if e.user_id == user_id), None)
    body = AroundMe(
        board_id=spec.id,
        period=period_info(spec, period, now),
        source=source,
        degraded=reason is not None,
        total=total,
        me=me,
        entries=entries,
    )
    return body, reason


def _redis_around(
    runtime: Runtime, spec: BoardSpec, period: BoardPeriod, user_id: str, k: int
) -> tuple[list[Ranked], int | None, str | None]:
    cache = runtime.board_cache
    ready, position, total = cache.rank_of(spec.id, period.key, user_id)
    if not ready:
        return [], None, REDIS_NOT_READY
    if position is None:
        return [], total, None
    first = max(0, position - k)
    low = max(0, first - 1)
    rows = cache.window(spec.id, period.key, low, position + k + 1)
    offset = first - low
    page = rows[offset : offset + (position - first) + k + 1]
    before = rows[0][1] if offset else None
    nxt = rows[offset + len(page)][1] if len(rows) > offset + len(page) else None
    first_rank = _shared_rank(runtime, spec, period, page[0][1]) if page else None
    return rank_rows(spec, page, first + 1, first_rank, before, nxt), total, None


def _dynamo_around(
    runtime: Runtime, spec: BoardSpec, period: BoardPeriod, user_id: str, k: int
) -> tuple[list[Ranked], bool]:
    store = runtime.board_store
    item = store.scores([(user_id, spec.id, period.key)]).get((user_id, spec.id, period.key))
    if item is None or item.excluded:
        return [], True
    mine = sort_key(item.packed, user_id)
    above = list(reversed(store.above(spec.id, period.key, mine, k + 1)))
    below = store.best(spec.id, period.key, k + 1, below=mine)
    page = [(r.user_id, r.packed) for r in above[-k:] if k] + [(user_id, item.packed)]
    page += [(r.user_id, r.packed) for r in below[:k]]
    ahead = store.count_above(spec.id, period.key, mine, RANK_COUNT_BUDGET)
    if ahead is None:
        return rank_rows(spec, page, 1, None), False
    first = ahead + 1 - min(k, len(above))
    before = above[0].packed if len(above) > k else None
    nxt = below[k].packed if len(below) > k else None
    first_rank: int | None = first
    if spec.board.tie_break == "none":
        first_rank = None
        if spec.board.ranking == "competition":
            boundary = sort_key(band_floor(band_of(page[0][1]) + 1), "")
            better = store.count_above(spec.id, period.key, boundary, RANK_COUNT_BUDGET)
            first_rank = None if better is None else better + 1
    return rank_rows(spec, page, first, first_rank, before, nxt), True

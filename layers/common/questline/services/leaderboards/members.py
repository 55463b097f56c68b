"""Reads about given users: a board restricted to a list of users (friends), and one user's
ranks across every board; plus the list of boards with their current period."""

from __future__ import annotations

from collections.abc import Sequence

from questline.domain.leaderboards.order import Ranked, band_of, board_order, rank_rows, sort_key
from questline.domain.leaderboards.specs import BoardPeriod, BoardSpec, compile_boards
from questline.models.leaderboards.api import (
    BoardEntry,
    BoardInfo,
    BoardList,
    FriendEntry,
    FriendsBoard,
    PrizeInfo,
    UserBoardRank,
    UserBoards,
)
from questline.models.leaderboards.catalog import Board
from questline.services.leaderboards.views import (
    FRIENDS_LIMIT,
    RANK_COUNT_BUDGET,
    REDIS_NOT_READY,
    REDIS_UNAVAILABLE,
    entry,
    period_info,
    rejected,
    resolve_board,
    resolve_period,
)
from questline.services.runtime import Runtime
from questline.storage.leaderboards.redis import CacheUnavailable


def read_friends(
    runtime: Runtime, board_id: str, user_ids: list[str], period_key: str | None
) -> tuple[FriendsBoard, str | None]:
    """The listed users (at most FRIENDS_LIMIT) ranked among themselves, with board ranks."""
    wanted = list(dict.fromkeys(user_ids))
    if not 1 <= len(wanted) <= FRIENDS_LIMIT:
        raise rejected("userIds", f"give between 1 and {FRIENDS_LIMIT} user ids")
    spec = resolve_board(runtime, board_id)
    now = runtime.clock()
    period = resolve_period(spec, period_key, now)
    found: dict[str, tuple[int, int | None]] = {}  # user -> (packed, board rank)
    reason = None
    try:
        ready, members = runtime.board_cache.members([(spec.id, period.key, u) for u in wanted])
        if ready:
            present = [(u, p, pos) for u, (p, pos) in zip(wanted, members, strict=True) if p is not None]
            ranks = _board_ranks(
                runtime, spec.id, period.key, spec.board, [(p, pos) for _, p, pos in present]
            )
            found = {u: (p, r) for (u, p, _), r in zip(present, ranks, strict=True)}
        else:
            reason = REDIS_NOT_READY
    except CacheUnavailable:
        reason = REDIS_UNAVAILABLE
    if reason is not None:
        items = runtime.board_store.scores([(u, spec.id, period.key) for u in wanted])
        found = {u: (i.packed, None) for (u, _, _), i in items.items() if not i.excluded}
    ordered = board_order([(u, p) for u, (p, _) in found.items()])
    ranked = rank_rows(spec, ordered, 1, 1)
    entries = [
        FriendEntry(**entry(spec, period, r).model_dump(), board_rank=found[r.user_id][1]) for r in ranked
    ]
    body = FriendsBoard(
        board_id=spec.id,
        period=period_info(spec, period, now),
        source="redis" if reason is None else "dynamodb",
        degraded=reason is not None,
        entries=entries,
        missing=[u for u in wanted if u not in found],
    )
    return body, reason


def _board_ranks(
    runtime: Runtime, board_id: str, period: str, board: Board, rows: list[tuple[int, int | None]]
) -> list[int | None]:
    if board.tie_break != "none":
        return [None if pos is None else pos + 1 for _, pos in rows]
    stats = runtime.board_cache.band_stats([(board_id, period, band_of(p), board.ranking) for p, _ in rows])
    return [rank for _, rank in stats]


def read_user_boards(runtime: Runtime, user_id: str) -> tuple[UserBoards, str | None]:
    """The user's entry on the current period of every board (null where they have no score)."""
    now = runtime.clock()
    specs = compile_boards(runtime.catalog).specs
    periods = [s.period_at(now) for s in specs]
    entries: list[BoardEntry | None] = []
    reason = None
    try:
        cache = runtime.board_cache
        ready, members = cache.members([(s.id, p.key, user_id) for s, p in zip(specs, periods, strict=True)])
        if not ready:
            raise _NotReady
        present = [(s, p, m) for s, p, m in zip(specs, periods, members, strict=True) if m[0] is not None]
        stats = iter(
            cache.band_stats(
                [
                    (
                        s.id,
                        p.key,
                        band_of(m[0] or 0),
                        s.board.ranking if s.board.tie_break == "none" else None,
                    )
                    for s, p, m in present
                ]
            )
        )
        for spec, period, (packed, pos) in zip(specs, periods, members, strict=True):
            if packed is None or pos is None:
                entries.append(None)
                continue
            size, shared = next(stats)
            rank = shared if spec.board.tie_break == "none" else pos + 1
            entries.append(entry(spec, period, Ranked(user_id, packed, pos + 1, rank, size > 1)))
    except (CacheUnavailable, _NotReady) as exc:
        reason = REDIS_NOT_READY if isinstance(exc, _NotReady) else REDIS_UNAVAILABLE
        entries = _dynamo_user_entries(runtime, user_id, specs, periods)
    boards = [
        UserBoardRank(board_id=s.id, title=s.board.title, period=period_info(s, p, now), entry=e)
        for s, p, e in zip(specs, periods, entries, strict=True)
    ]
    return UserBoards(user_id=user_id, degraded=reason is not None, boards=boards), reason


class _NotReady(Exception):
    pass


def _dynamo_user_entries(
    runtime: Runtime, user_id: str, specs: Sequence[BoardSpec], periods: Sequence[BoardPeriod]
) -> list[BoardEntry | None]:
    store = runtime.board_store
    items = store.scores([(user_id, s.id, p.key) for s, p in zip(specs, periods, strict=True)])
    entries: list[BoardEntry | None] = []
    for spec, period in zip(specs, periods, strict=True):
        item = items.get((user_id, spec.id, period.key))
        if item is None or item.excluded:
            entries.append(None)
            continue
        packed = item.packed
        ahead = store.count_above(spec.id, period.key, sort_key(packed, user_id), RANK_COUNT_BUDGET)
        tied = store.band_size(spec.id, period.key, band_of(packed)) > 1
        position = None if ahead is None else ahead + 1
        rank = position if spec.board.tie_break != "none" else None
        ranked = Ranked(user_id, packed, position or 0, rank, tied)
        entries.append(entry(spec, period, ranked, position is not None))
    return entries


def list_boards(runtime: Runtime) -> BoardList:
    """Every board of the active catalog with its current period and when it ends."""
    now = runtime.clock()
    infos = []
    for spec in compile_boards(runtime.catalog).specs:
        board = spec.board
        score = board.score
        aggregate = score.metric.aggregate if score.metric else ""
        ranks = f"currency:{score.currency}" if score.currency else f"metric:{aggregate}"
        infos.append(
            BoardInfo(
                id=board.id,
                title=board.title,
                description=board.description,
                ranks=ranks,
                scope=board.scope.model_dump(exclude_none=True),
                period_kind=board.period,
                time_zone=spec.tz,
                order=board.order,
                tie_break=board.tie_break,
                ranking=board.ranking,
                current=period_info(spec, spec.period_at(now), now),
                prizes=[PrizeInfo.model_validate(p.model_dump()) for p in board.prizes],
            )
        )
    return BoardList(catalog_version=runtime.catalog.version, boards=infos)

"""The score encoding: packed order is the board order, within the documented limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questline.domain.leaderboards.order import (
    MAX_EXACT_SCORE,
    MAX_SCORE,
    board_order,
    pack,
    packed_of_sort_key,
    rank_rows,
    reached_of,
    score_of,
    sort_key,
)
from questline.domain.leaderboards.specs import BoardSpec
from questline.models.leaderboards.catalog import Board

START = datetime(2026, 11, 1, tzinfo=UTC)


def spec(**options) -> BoardSpec:
    return BoardSpec(Board(id="b", title="B", **options), "UTC", 0)


MONTHLY = {"period": "month"}
scores = st.integers(min_value=-MAX_EXACT_SCORE, max_value=MAX_EXACT_SCORE)
seconds = st.integers(min_value=0, max_value=30 * 86400 - 1)


def board_key(order: str, tie_break: str, score: int, reached: int) -> tuple[int, int]:
    """The order a board defines, as a sort key (larger ranks higher)."""
    better = score if order == "desc" else -score
    tie = {"first": -reached, "last": reached, "none": 0}[tie_break]
    return better, tie


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("tie_break", ["first", "last", "none"])
@given(a=st.tuples(scores, seconds), b=st.tuples(scores, seconds))
def test_packed_values_order_members_as_the_board_does(order, tie_break, a, b):
    board = spec(order=order, tieBreak=tie_break, **MONTHLY)
    period = board.period_at(START)
    packed_a = pack(board, period, a[0], int(START.timestamp()) + a[1])
    packed_b = pack(board, period, b[0], int(START.timestamp()) + b[1])

    expected = board_key(order, tie_break, *a) > board_key(order, tie_break, *b)
    same = board_key(order, tie_break, *a) == board_key(order, tie_break, *b)
    assert (packed_a > packed_b) == expected
    assert (packed_a == packed_b) == same
    assert float(packed_a) == packed_a  # exact as a Redis (double) score


@pytest.mark.parametrize("order", ["desc", "asc"])
@given(score=scores, offset=seconds)
def test_score_and_reached_instant_decode_from_the_packed_value(order, score, offset):
    board = spec(order=order, **MONTHLY)
    period = board.period_at(START)
    packed = pack(board, period, score, int(START.timestamp()) + offset)

    assert score_of(board, packed) == score
    assert reached_of(board, period, packed) == START + timedelta(seconds=offset)


@given(a=st.integers(MAX_EXACT_SCORE, MAX_SCORE), b=st.integers(MAX_EXACT_SCORE, MAX_SCORE))
def test_beyond_the_exact_limit_scores_still_order_exactly_but_ties_go_by_user(a, b):
    board = spec()
    packed_a, packed_b = pack(board, board.period_at(START), a, 0), pack(board, board.period_at(START), b, 99)

    assert (packed_a > packed_b) == (a > b)
    assert score_of(board, packed_a) == a
    assert float(packed_a) == packed_a


def test_all_time_boards_break_ties_by_the_minute_since_2024():
    board = spec()
    period = board.period_at(START)
    earlier = pack(board, period, 10, int(START.timestamp()))
    later = pack(board, period, 10, int((START + timedelta(minutes=1)).timestamp()))

    assert earlier > later
    assert reached_of(board, period, earlier) == START


@given(
    st.lists(
        st.tuples(st.text("abcz019._-", min_size=1, max_size=6), scores),
        max_size=30,
        unique_by=lambda r: r[0],
    )
)
def test_the_index_sort_key_orders_strings_as_redis_orders_members(rows):
    packed_rows = [(user, score * 2**24) for user, score in rows]

    by_key = sorted(packed_rows, key=lambda r: sort_key(r[1], r[0]), reverse=True)

    assert by_key == board_order(packed_rows)
    assert all(packed_of_sort_key(sort_key(p, u)) == (p, u) for u, p in packed_rows)


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [("competition", [1, 2, 2, 4, 4, 6]), ("dense", [1, 2, 2, 3, 3, 4])],
)
def test_shared_ties_number_ranks_by_competition_or_dense_ranking(ranking, expected):
    board = spec(tieBreak="none", ranking=ranking)
    rows = [(u, s * 2**24) for u, s in [("a", 9), ("b", 7), ("c", 7), ("d", 5), ("e", 5), ("f", 1)]]

    ranked = rank_rows(board, rows, 1, 1)

    assert [r.rank for r in ranked] == expected
    assert [r.tied for r in ranked] == [False, True, True, True, True, False]


def test_a_page_continues_shared_ranks_from_the_rank_of_its_first_row():
    board = spec(tieBreak="none", ranking="competition")
    rows = [("c", 7 * 2**24), ("d", 5 * 2**24)]

    ranked = rank_rows(board, rows, 3, 2, before=7 * 2**24, after=5 * 2**24)

    assert [(r.position, r.rank, r.tied) for r in ranked] == [(3, 2, True), (4, 4, True)]


def test_with_a_tie_break_every_rank_is_the_position_and_ties_are_still_flagged():
    board = spec()
    period = board.period_at(START)
    first, second = int(START.timestamp()), int(START.timestamp()) + 3600
    rows = board_order([("a", pack(board, period, 5, first)), ("b", pack(board, period, 5, second))])

    ranked = rank_rows(board, rows, 1, 1)

    assert [(r.user_id, r.rank, r.tied) for r in ranked] == [("a", 1, True), ("b", 2, True)]

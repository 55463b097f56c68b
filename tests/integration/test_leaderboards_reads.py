"""Leaderboard reads over HTTP: top pages, around me, friends, a user's ranks, the board list;
the same answers from DynamoDB (with the degraded header) when Redis is down or not rebuilt."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from questline.services.leaderboards.maintenance import rebuild
from questline.storage.leaderboards.redis import RedisBoardCache
from tests.integration.leaderboard_support import WEEK, auth, boards_catalog, send, standings, xp  # noqa: F401 - boards_catalog: a fixture, the catalog of every test here

SCORES = {"ana": 50, "bo": 80, "cy": 50, "di": 20, "ed": 80, "fay": 10, "gus": 50}
ORDER = ["bo", "ed", "ana", "cy", "gus", "di", "fay"]  # ties: who reached the score first


@pytest.fixture
def board(runtime):
    standings(runtime, SCORES)
    assert rebuild(runtime).ready
    return runtime


@pytest.fixture(params=["redis", "redis-not-ready", "redis-unavailable"])
def source(request, board, monkeypatch):
    """Every read below must give the same answer from Redis and from the degraded path."""
    if request.param == "redis-not-ready":
        board.board_cache.client.delete(board.board_cache.ready_key)
    if request.param == "redis-unavailable":
        monkeypatch.setattr(board, "board_cache", RedisBoardCache("redis://127.0.0.1:1/0", clock=board.clock))
    return request.param


def get(client, runtime, path, user="viewer", *roles, **params):
    return client.get(path, params=params, headers=auth(runtime, user, *roles))


def test_top_pages_follow_the_cursor_through_the_whole_board(client, runtime, source):
    seen, cursor = [], None
    while True:
        response = get(
            client, runtime, "/v1/leaderboards/weekly-xp", limit=3, **({"cursor": cursor} if cursor else {})
        )
        assert response.status_code == 200
        body = response.json()
        seen += [(e["userId"], e["rank"], e["score"], e["tied"]) for e in body["entries"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break

    assert [u for u, *_ in seen] == ORDER
    assert [r for _, r, *_ in seen] == [1, 2, 3, 4, 5, 6, 7]
    assert [t for *_, t in seen] == [True, True, True, True, True, False, False]
    degraded = source != "redis"
    assert (body["degraded"], response.headers.get("X-Questline-Degraded")) == (
        degraded,
        None if not degraded else source,
    )
    assert body["total"] == (None if degraded else 7)


def test_equal_scores_share_dense_ranks_without_a_tie_break(client, runtime, source):
    body = get(client, runtime, "/v1/leaderboards/daily-shared", limit=4).json()
    rest = get(client, runtime, "/v1/leaderboards/daily-shared", limit=4, cursor=body["nextCursor"]).json()

    ranks = [(e["score"], e["rank"]) for e in body["entries"] + rest["entries"]]
    assert ranks == [(80, 1), (80, 1), (50, 2), (50, 2), (50, 2), (20, 3), (10, 4)]


def test_around_me_gives_the_user_and_k_neighbours_each_side(client, runtime, source):
    body = get(client, runtime, "/v1/leaderboards/weekly-xp/users/me", "gus", neighbours=2).json()

    assert [e["userId"] for e in body["entries"]] == ["ana", "cy", "gus", "di", "fay"]
    assert (body["me"]["userId"], body["me"]["rank"], body["me"]["score"]) == ("gus", 5, 50)
    assert [e["rank"] for e in body["entries"]] == [3, 4, 5, 6, 7]


def test_around_me_at_the_top_and_for_a_user_without_a_score(client, runtime, source):
    top = get(client, runtime, "/v1/leaderboards/weekly-xp/users/bo", "bo", neighbours=1).json()
    nobody = get(client, runtime, "/v1/leaderboards/weekly-xp/users/me", "newcomer").json()

    assert [e["userId"] for e in top["entries"]] == ["bo", "ed"]
    assert (nobody["me"], nobody["entries"]) == (None, [])


def test_a_user_may_not_read_another_users_neighbourhood_but_a_service_may(client, runtime):
    assert get(client, runtime, "/v1/leaderboards/weekly-xp/users/bo", "ana").status_code == 403
    assert get(client, runtime, "/v1/leaderboards/weekly-xp/users/bo", "svc", "service").status_code == 200


def test_friends_are_ranked_among_themselves_with_their_board_rank(client, runtime, source):
    body = get(client, runtime, "/v1/leaderboards/weekly-xp/friends", userIds="fay,ana,zed,ed").json()

    assert [(e["userId"], e["rank"]) for e in body["entries"]] == [("ed", 1), ("ana", 2), ("fay", 3)]
    expected_board_ranks = [2, 3, 7] if source == "redis" else [None, None, None]
    assert [e["boardRank"] for e in body["entries"]] == expected_board_ranks
    assert body["missing"] == ["zed"]


def test_all_of_a_users_ranks_across_boards(client, runtime, source):
    body = get(client, runtime, "/v1/users/me/leaderboards", "cy").json()

    ranks = {b["boardId"]: (b["entry"]["rank"], b["entry"]["score"]) for b in body["boards"]}
    assert ranks == {
        "all-xp": (4, 50),
        "weekly-xp": (4, 50),
        "daily-shared": (None if source != "redis" else 2, 50),
    }


def test_the_board_list_says_what_each_board_ranks_and_when_its_period_ends(client, runtime):
    boards = {b["id"]: b for b in get(client, runtime, "/v1/leaderboards").json()["boards"]}

    weekly = boards["weekly-xp"]
    assert (weekly["ranks"], weekly["current"]["key"], weekly["current"]["end"]) == (
        "currency:xp",
        WEEK,
        "2026-11-23T00:00:00Z",
    )
    assert boards["all-xp"]["current"] == {
        "key": "all",
        "start": None,
        "end": None,
        "closesAt": None,
        "status": "open",
    }


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("/v1/leaderboards/nope", {}, 404, None),
        ("/v1/leaderboards/weekly-xp", {"period": "soon"}, 422, "period"),
        ("/v1/leaderboards/weekly-xp", {"period": "2030-01-01"}, 422, "period"),
        ("/v1/leaderboards/weekly-xp", {"limit": 0}, 422, "limit"),
        ("/v1/leaderboards/weekly-xp", {"cursor": "garbage"}, 422, "cursor"),
        ("/v1/leaderboards/weekly-xp/users/me", {"neighbours": 26}, 422, "neighbours"),
        (
            "/v1/leaderboards/weekly-xp/friends",
            {"userIds": ",".join(f"u{i}" for i in range(101))},
            422,
            "userIds",
        ),
        ("/v1/leaderboards/weekly-xp/friends", {"userIds": "ok,not ok"}, 422, "userIds"),
        ("/v1/leaderboards/all-xp", {"period": "previous"}, 422, "period"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(client, runtime, path, params, status, field):
    response = get(client, runtime, path, **params)

    assert response.status_code == status
    if field:
        assert any(e["field"].endswith(field) for e in response.json()["errors"])


def test_reads_require_a_token(client):
    assert client.get("/v1/leaderboards/weekly-xp").status_code == 401


def test_a_malformed_redis_url_degrades_and_a_failing_dynamodb_is_a_503_never_a_500(
    client, board, monkeypatch
):
    monkeypatch.setattr(board, "board_cache", RedisBoardCache("not-a-url", clock=board.clock))
    degraded = get(client, board, "/v1/leaderboards/weekly-xp")

    def throttled(**kwargs):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Query")

    monkeypatch.setattr(board.board_store.client, "query", throttled)
    failed = get(client, board, "/v1/leaderboards/weekly-xp")

    assert (degraded.status_code, degraded.headers["X-Questline-Degraded"]) == (200, "redis-unavailable")
    assert (failed.status_code, failed.json()["code"]) == (503, "unavailable")


def test_events_still_commit_when_redis_is_down_and_reads_then_come_from_dynamodb(client, board, monkeypatch):
    monkeypatch.setattr(board, "board_cache", RedisBoardCache("redis://127.0.0.1:1/0", clock=board.clock))

    outcome = send(board, xp("newcomer", 500))

    assert (outcome.applied, outcome.failed_message_ids) == (1, [])
    body = get(client, board, "/v1/leaderboards/weekly-xp", limit=1).json()
    assert (body["entries"][0]["userId"], body["entries"][0]["score"], body["degraded"]) == (
        "newcomer",
        500,
        True,
    )

"""Boards stay right whatever the injected clock says relative to Redis's own clock.

Redis expires keys by its wall clock; the layer's only clock is the injected one. These tests put
the injected clock a year behind and a year ahead of the Redis server's clock (read from the
server itself) and walk a board's life through it: live writes, reads from Redis, the keys'
time to live, a rebuild. An expiry computed as an absolute instant from the injected clock fails
here at once (a year behind: every key is already expired for Redis).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from questline.domain.leaderboards.specs import compile_boards
from questline.services.leaderboards.maintenance import rebuild
from tests.conftest import Clock
from tests.integration.leaderboard_support import api_client, auth, boards_catalog, send, xp  # noqa: F401 - boards_catalog: a fixture, the catalog of every test here

YEAR = timedelta(days=365)
SCORES = {"ana": 30, "bo": 70, "cy": 50}


def redis_now(runtime) -> datetime:
    seconds, micros = runtime.board_cache.client.time()
    return datetime.fromtimestamp(seconds + micros / 1e6, UTC)


@pytest.fixture(params=[-YEAR, YEAR], ids=["a-year-behind-redis", "a-year-ahead-of-redis"])
def shifted(request, runtime, clock: Clock):
    """The runtime with its injected clock a year off the Redis server's clock."""
    clock.now = redis_now(runtime) + request.param
    at = clock.now - timedelta(minutes=1)
    send(runtime, *[xp(user, n, at=at + timedelta(seconds=i)) for i, (user, n) in enumerate(SCORES.items())])
    return runtime


def top(client, runtime, board_id):
    response = client.get(f"/v1/leaderboards/{board_id}", headers=auth(runtime, "viewer"))
    assert response.status_code == 200, response.text
    assert "X-Questline-Degraded" not in response.headers
    return [(e["userId"], e["score"]) for e in response.json()["entries"]]


EXPECTED = [("bo", 70), ("cy", 50), ("ana", 30)]


@pytest.mark.parametrize("board_id", ["all-xp", "weekly-xp", "daily-shared"])
def test_live_writes_are_read_back_from_redis(shifted, monkeypatch, board_id):
    assert rebuild(shifted).ready  # the first rebuild marks an otherwise correct Redis ready
    client = api_client(shifted, monkeypatch)

    assert top(client, shifted, board_id) == EXPECTED


def test_every_period_key_lives_as_long_as_the_injected_clock_says(shifted):
    now = shifted.clock()
    cache = shifted.board_cache
    for spec in compile_boards(shifted.catalog).specs:
        period = spec.period_at(now)
        expires = spec.expires_at(period)
        ttl_ms = cache.client.pttl(cache.key(spec.id, period.key))
        if expires is None:
            assert ttl_ms == -1, spec.id  # all-time: never expires
        else:
            expected_ms = (expires - now).total_seconds() * 1000
            assert expected_ms - 10_000 < ttl_ms <= expected_ms, spec.id


@pytest.mark.parametrize("board_id", ["weekly-xp", "daily-shared"])
def test_a_rebuild_after_a_flush_restores_the_same_standings(shifted, monkeypatch, board_id):
    cache = shifted.board_cache
    for key in cache.client.scan_iter(match=f"{cache.prefix}*"):
        cache.client.delete(key)

    assert rebuild(shifted).ready
    assert top(api_client(shifted, monkeypatch), shifted, board_id) == EXPECTED

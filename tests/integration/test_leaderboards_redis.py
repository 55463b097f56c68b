"""The Redis side against the real server: the version guard, removals, expiry, the distinct
score index, and a rebuild's readiness marker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from questline.storage.leaderboards.redis import CacheUnavailable, MemberWrite, RedisBoardCache
from tests.factories import NOW

# An hour after the injected clock, whatever Redis's own clock says.
EXPIRE_AT = int((NOW + timedelta(hours=1)).timestamp())


def fixed_clock():
    return NOW


@pytest.fixture
def cache(redis_url, redis_prefix) -> RedisBoardCache:
    return RedisBoardCache(redis_url, clock=fixed_clock, prefix=redis_prefix)


def write(cache, *writes, dense=False, expire_at=EXPIRE_AT):
    return cache.write({("b", "p"): (expire_at, dense, [MemberWrite(*w) for w in writes])})


def members(cache):
    return cache.all_members("b", "p")


def test_a_stale_write_never_rolls_a_score_back(cache):
    write(cache, ("u1", 5, 500))

    changed = write(cache, ("u1", 4, 200), ("u1", 5, 500))  # older; the same again

    assert (changed, members(cache)) == (0, {"u1": 500})


def test_a_member_lost_from_the_set_is_restored_by_rewriting_its_version(cache):
    write(cache, ("u1", 5, 500))
    cache.client.zrem(cache.key("b", "p"), "u1")

    assert write(cache, ("u1", 5, 500)) == 1
    assert members(cache) == {"u1": 500}


def test_writes_apply_in_version_order_whatever_order_they_arrive_in(cache):
    write(cache, ("u1", 2, 20), ("u1", 3, 30))
    write(cache, ("u1", 1, 10))

    assert members(cache) == {"u1": 30}


def test_a_removal_is_versioned_too_so_a_stale_write_cannot_re_add_the_member(cache):
    write(cache, ("u1", 1, 10), ("u1", 2, None))

    write(cache, ("u1", 1, 10))

    assert members(cache) == {}
    assert write(cache, ("u1", 3, 40)) == 1
    assert members(cache) == {"u1": 40}


def test_every_key_of_a_period_expires_at_the_period_retention(cache):
    write(cache, ("u1", 1, 10 << 24), dense=True)

    client = cache.client
    key = cache.key("b", "p")
    ttls = [client.ttl(k) for k in (key, f"{key}:v", f"{key}:d", f"{key}:dc")]  # EXPIRETIME needs 7.0
    assert all(3600 - 5 < ttl <= 3600 for ttl in ttls), ttls


def test_the_distinct_score_index_follows_changes_and_removals(cache):
    write(cache, ("a", 1, 9 << 24), ("b", 1, 7 << 24), ("c", 1, 7 << 24), ("d", 1, 5 << 24), dense=True)
    write(cache, ("b", 2, 5 << 24), ("a", 2, None), dense=True)

    stats = cache.band_stats([("b", "p", band, "dense") for band in (7, 5)])

    assert stats == [(1, 1), (2, 2)]  # c alone at 7 ranks 1st; b and d share 5, ranked 2nd
    assert cache.client.zrange(f"{cache.key('b', 'p')}:d", 0, -1) == [b"5", b"7"]


def test_ready_only_after_a_rebuild_that_kept_its_lock(cache):
    assert cache.acquire_rebuild("t1", 60)
    assert not cache.acquire_rebuild("t2", 60)  # one rebuild at a time
    cache.client.delete(cache.lock_key)  # what a flush does mid-rebuild

    assert not cache.mark_ready("t1", "now")
    assert not cache.is_ready()
    assert cache.acquire_rebuild("t3", 60)
    assert cache.mark_ready("t3", "now")
    assert cache.is_ready()


def test_a_dead_server_costs_one_timeout_then_fails_fast(redis_prefix):
    dead = RedisBoardCache("redis://127.0.0.1:1/0", clock=fixed_clock, prefix=redis_prefix)
    with pytest.raises(CacheUnavailable):
        dead.is_ready()

    started = time.perf_counter()
    with pytest.raises(CacheUnavailable, match="skipped"):
        dead.top("b", "p", 0, 10)
    assert time.perf_counter() - started < 0.05


def test_no_redis_configured_is_unavailable_not_an_error():
    with pytest.raises(CacheUnavailable):
        RedisBoardCache(None, clock=fixed_clock).is_ready()

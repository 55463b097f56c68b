"""Leaderboards on a board of 1,000,000 members in the real Redis.

(a) Rebuild: the Redis side of a rebuild, the index pages of one board period written through
the version-guarded script, a page per pipeline. (b) Top 100 and around me (5 neighbours each
side): p50 and p99 of the service call beside the raw redis-py commands that call issues, and
their ratio: what the service adds (ranking, decoding, response models) over Redis itself.

Everything lives under a key prefix of this run's own, deleted at the end; the server may be
shared. DynamoDB is not involved: moto cannot hold a million items, and the reads need none.
"""

from __future__ import annotations

import gc
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import cached_property
from typing import Any

import redis

from questline.config import Settings
from questline.domain.catalog import CompiledCatalog, compile_catalog
from questline.domain.leaderboards.order import pack
from questline.domain.leaderboards.specs import BoardSpec, compile_boards
from questline.models.catalog_bundle import parse_catalog
from questline.services.leaderboards.maintenance import load_period
from questline.services.leaderboards.reads import read_around, read_top
from questline.services.runtime import Runtime
from questline.storage.leaderboards.dynamo import IndexRow
from questline.storage.leaderboards.redis import RedisBoardCache
from tests.bench.report import heading, table
from tests.factories import NOW
from tests.support.redis_server import find_or_start_redis

BOARD = "bench-weekly"
CATALOG = f"""
version: bench-boards
levels: {{thresholds: [0]}}
boards: [{{id: {BOARD}, title: Weekly XP, period: week}}]
"""
PAGE_ROWS = 5_000  # about what one 1 MB DynamoDB page of the board index holds
NEIGHBOURS = 5


class BenchRuntime(Runtime):
    """A runtime whose catalog is fixed: no DynamoDB behind it."""

    def __init__(self, settings: Settings, catalog: CompiledCatalog) -> None:
        super().__init__(settings, clock=lambda: NOW)
        self._fixed = catalog

    @property
    def catalog(self) -> CompiledCatalog:
        return self._fixed

    @cached_property
    def board_cache(self) -> RedisBoardCache:
        return RedisBoardCache(
            self.settings.redis_url, clock=self.clock, prefix=self.settings.redis_key_prefix
        )


def run(quick: bool = False) -> str:
    members, samples = (100_000, 500) if quick else (1_000_000, 2_000)
    url, embedded = find_or_start_redis()
    prefix = f"ql:bench:lb:{uuid.uuid4().hex[:10]}:"
    catalog = compile_catalog(parse_catalog(CATALOG))
    runtime = BenchRuntime(Settings(redis_url=url, redis_key_prefix=prefix), catalog)
    spec = compile_boards(catalog).by_id[BOARD]
    try:
        version = redis.Redis.from_url(url).info("server")["redis_version"]
        rebuild_seconds, memory = _rebuild(runtime, spec, members)
        rows = _latencies(runtime, spec, members, samples)
    finally:
        _delete_prefix(url, prefix)
        if embedded is not None:
            embedded.shutdown()  # type: ignore[attr-defined]
    return "\n".join(
        [
            heading(f"leaderboard: one board of {members:,} members in Redis"),
            f"Redis {version} at {url.split('@')[-1]}; one redis-py client, no hiredis.",
            f"Rebuild (Redis side): {members:,} members in {rebuild_seconds:.1f} s"
            f" ({members / rebuild_seconds:,.0f} members/s), pages of {PAGE_ROWS:,} rows, one pipeline each,"
            f" {PAGE_ROWS // 1000} guarded script calls per page. Memory: {memory}.",
            "Reading the pages from DynamoDB is not measured here (about 100 Query pages of 1 MB for"
            " a million index entries of ~100 bytes, 4 index shards read in turn).",
            "",
            f"Latency over {samples:,} calls each, interleaved, after a warm-up; users for around-me"
            " drawn at random over the whole board.",
            table(
                ["read", "service p50", "service p99", "raw p50", "raw p99", "ratio p50", "ratio p99"], rows
            ),
            "raw: the same redis-py pipelines the service issues (top: EXISTS + ZREVRANGE 0..100 WITHSCORES"
            " + ZCARD; around: EXISTS + ZREVRANK + ZCARD, then ZREVRANGE of 2x5+1 (+2 edge) rows).",
        ]
    )


def _pages(spec: BoardSpec, members: int) -> Iterator[list[IndexRow]]:
    period = spec.period_at(NOW)
    rng = random.Random(7)
    start = int((NOW - timedelta(days=5)).timestamp())
    page: list[IndexRow] = []
    for i in range(members):
        # Long-tailed scores, many ties: a real board's shape.
        score = int(rng.paretovariate(1.2) * 100)
        packed = pack(spec, period, score, start + rng.randrange(400_000))
        page.append(IndexRow(f"user-{i:07d}", packed, 1, ""))
        if len(page) == PAGE_ROWS:
            yield page
            page = []
    if page:
        yield page


def _rebuild(runtime: BenchRuntime, spec: BoardSpec, members: int) -> tuple[float, str]:
    cache = runtime.board_cache
    period = spec.period_at(NOW)
    started = time.perf_counter()
    loaded, _ = load_period(cache, spec, period, _pages(spec, members))
    seconds = time.perf_counter() - started
    assert loaded == members
    token = uuid.uuid4().hex
    assert cache.acquire_rebuild(token, 600)
    assert cache.mark_ready(token, "bench")
    key = cache.key(spec.id, period.key)
    usage = [cache.client.memory_usage(k, samples=0) or 0 for k in (key, f"{key}:v")]
    memory = f"sorted set {usage[0] / 2**20:,.0f} MiB + version hash {usage[1] / 2**20:,.0f} MiB"
    return seconds, memory


def _latencies(runtime: BenchRuntime, spec: BoardSpec, members: int, samples: int) -> list[list[str]]:
    cache = runtime.board_cache
    client = cache.client
    key = cache.key(spec.id, spec.period_at(NOW).key)
    rng = random.Random(11)
    users = [f"user-{rng.randrange(members):07d}" for _ in range(samples)]

    def raw_top() -> Any:
        pipe = client.pipeline(transaction=False)
        pipe.exists(cache.ready_key)
        pipe.zrevrange(key, 0, 100, withscores=True)
        pipe.zcard(key)
        return pipe.execute()

    def raw_around(user: str) -> Any:
        pipe = client.pipeline(transaction=False)
        pipe.exists(cache.ready_key)
        pipe.zrevrank(key, user)
        pipe.zcard(key)
        _, rank, _ = pipe.execute()
        pipe = client.pipeline(transaction=False)
        pipe.zrevrange(key, max(0, rank - NEIGHBOURS - 1), rank + NEIGHBOURS + 1, withscores=True)
        return pipe.execute()

    variants: dict[str, Callable[[int], Any]] = {
        "service top": lambda i: read_top(runtime, BOARD, None, 100, None),
        "raw top": lambda i: raw_top(),
        "service around": lambda i: read_around(runtime, BOARD, users[i], None, NEIGHBOURS),
        "raw around": lambda i: raw_around(users[i]),
    }
    page, reason = read_top(runtime, BOARD, None, 100, None)
    assert reason is None, reason  # Redis answers, not the fallback
    assert len(page.entries) == 100
    times: dict[str, list[float]] = {name: [] for name in variants}
    for work in variants.values():  # warm-up
        for i in range(50):
            work(i)
    gc.disable()
    try:
        for i in range(samples):
            for name, work in variants.items():
                started = time.perf_counter()
                work(i)
                times[name].append(time.perf_counter() - started)
    finally:
        gc.enable()
    rows = []
    for read in ("top", "around"):
        service, raw = _percentiles(times[f"service {read}"]), _percentiles(times[f"raw {read}"])
        label = "top 100" if read == "top" else f"around me (+-{NEIGHBOURS})"
        rows.append(
            [
                label,
                *(f"{s * 1e6:,.0f} us" for s in service),
                *(f"{r * 1e6:,.0f} us" for r in raw),
                *(f"{s / r:.2f}x" for s, r in zip(service, raw, strict=True)),
            ]
        )
    return rows


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _delete_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.unlink(*keys)

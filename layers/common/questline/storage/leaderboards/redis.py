"""Redis side of leaderboards: one sorted set per board period, written only through a Lua
script that compares versions, so replays, retries, rebuilds and out-of-order writers converge
and never roll a score back.

Keys (the ``{board:period}`` hash tag keeps a period's keys in one cluster slot):
``<prefix>lb:{b:p}`` members (score = packed value, see domain.leaderboards.order),
``...:v`` hash user -> version of the last applied write (kept for removed members too),
``...:d`` / ``...:dc`` distinct scores and their member counts (dense ranks of shared ties only).
``<prefix>lb:{meta}:ready`` exists once a full rebuild has completed; a flush removes it, and
reads go to DynamoDB until the next rebuild puts it back.

Every failure surfaces as CacheUnavailable; after one, Redis is skipped for BREAKER_SECONDS so
a dead server costs one timeout, not one per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

from questline.storage.leaderboards.scripts import MARK_READY, WRITE

BREAKER_SECONDS = 5.0
WRITE_CHUNK = 1000  # members per script call


class CacheUnavailable(Exception):
    """Redis is not configured, down, or timing out."""


@dataclass(frozen=True)
class MemberWrite:
    user_id: str
    version: int
    packed: int | None  # None removes the member (excluded user)


Rows = list[tuple[str, int]]


class RedisBoardCache:
    """``clock`` is the process's injected clock: expiries are sent to Redis relative to it, so
    a clock set ahead of or behind the server's (tests, the local system) expires nothing early."""

    def __init__(
        self,
        url: str | None,
        *,
        clock: Callable[[], datetime],
        prefix: str = "ql:",
        redis_client: Any = None,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.clock = clock
        self._client = redis_client
        self._down_until = 0.0
        self._write: Any = None
        self._mark_ready: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            if not self.url:
                raise CacheUnavailable("no Redis configured")
            try:
                self._client = redis.Redis.from_url(self.url, socket_timeout=1.0, socket_connect_timeout=0.5)
            except ValueError as exc:  # a malformed REDIS_URL: run degraded, loudly in the logs
                raise CacheUnavailable(f"bad Redis URL: {exc}") from exc
        return self._client

    def key(self, board_id: str, period: str) -> str:
        return f"{self.prefix}lb:{{{board_id}:{period}}}"

    @property
    def ready_key(self) -> str:
        return f"{self.prefix}lb:{{meta}}:ready"

    @property
    def lock_key(self) -> str:
        return f"{self.prefix}lb:{{meta}}:rebuild"

    def _run(self, work: Any) -> Any:
        """Run ``work(client)``, turning every Redis failure into CacheUnavailable."""
        if time.monotonic() < self._down_until:
            raise CacheUnavailable("Redis failed recently; skipped for a few seconds")
        try:
            return work(self.client)
        except (redis.RedisError, OSError) as exc:
            self._down_until = time.monotonic() + BREAKER_SECONDS
            raise CacheUnavailable(str(exc)) from exc

    def _pipeline(self, fill: Any) -> list[Any]:
        def work(client: Any) -> list[Any]:
            pipe = client.pipeline(transaction=False)
            fill(pipe)
            return list(pipe.execute())

        return list(self._run(work))

    # -- writes -----------------------------------------------------------------------------

    def write(self, groups: Mapping[tuple[str, str], tuple[int | None, bool, Sequence[MemberWrite]]]) -> int:
        """Apply version-guarded writes, grouped by (board, period) -> (expire-at in unix seconds
        by the injected clock, dense, writes), pipelined; returns how many members' values changed."""
        now_ms = int(self.clock().timestamp() * 1000)

        def fill(pipe: Any) -> None:
            if self._write is None:
                self._write = self.client.register_script(WRITE)
            for (board_id, period), (expire_at, dense, writes) in groups.items():
                key = self.key(board_id, period)
                keys = [key, f"{key}:v", f"{key}:d", f"{key}:dc"]
                for start in range(0, len(writes), WRITE_CHUNK):
                    args: list[Any] = [_ttl_ms(expire_at, now_ms), "1" if dense else "0"]
                    for w in writes[start : start + WRITE_CHUNK]:
                        args += [w.user_id, w.version, "" if w.packed is None else w.packed]
                    self._write(keys=keys, args=args, client=pipe)

        return sum(int(n) for n in self._pipeline(fill))

    def acquire_rebuild(self, token: str, seconds: int) -> bool:
        """Take the rebuild lock (one rebuild at a time)."""
        return bool(self._run(lambda c: c.set(self.lock_key, token, nx=True, ex=seconds)))

    def mark_ready(self, token: str, stamp: str) -> bool:
        def work(client: Any) -> bool:
            if self._mark_ready is None:
                self._mark_ready = client.register_script(MARK_READY)
            return bool(self._mark_ready(keys=[self.lock_key, self.ready_key], args=[token, stamp]))

        return bool(self._run(work))

    def release_rebuild(self, token: str) -> None:
        self._run(lambda c: c.delete(self.lock_key) if c.get(self.lock_key) == token.encode() else 0)

    # -- reads ------------------------------------------------------------------------------

    def is_ready(self) -> bool:
        """Whether a full rebuild completed since Redis was last emptied."""
        return bool(self._run(lambda c: c.exists(self.ready_key)))

    def top(self, board_id: str, period: str, start: int, count: int) -> tuple[bool, Rows, int, int]:
        """(ready, rows from position start-1 to start+count (0-based, inclusive), index of the
        first returned row, total members)."""
        key = self.key(board_id, period)
        low = max(0, start - 1)
        ready, rows, total = self._pipeline(
            lambda p: (
                p.exists(self.ready_key),
                p.zrevrange(key, low, start + count, withscores=True),
                p.zcard(key),
            )
        )
        return bool(ready), _rows(rows), low, int(total)

    def rank_of(self, board_id: str, period: str, user_id: str) -> tuple[bool, int | None, int]:
        """(ready, 0-based position of the user or None, total members)."""
        key = self.key(board_id, period)
        ready, rank, total = self._pipeline(
            lambda p: (p.exists(self.ready_key), p.zrevrank(key, user_id), p.zcard(key))
        )
        return bool(ready), None if rank is None else int(rank), int(total)

    def window(self, board_id: str, period: str, low: int, high: int) -> Rows:
        """Rows at positions low..high (0-based, inclusive)."""
        key = self.key(board_id, period)
        [rows] = self._pipeline(lambda p: p.zrevrange(key, low, high, withscores=True))
        return _rows(rows)

    def members(
        self, pairs: Sequence[tuple[str, str, str]]
    ) -> tuple[bool, list[tuple[int | None, int | None]]]:
        """For each (board, period, user): (packed or None, 0-based position or None)."""

        def fill(pipe: Any) -> None:
            pipe.exists(self.ready_key)
            for board_id, period, user_id in pairs:
                pipe.zscore(self.key(board_id, period), user_id)
                pipe.zrevrank(self.key(board_id, period), user_id)

        ready, *flat = self._pipeline(fill)
        found = [
            (None if s is None else int(s), None if r is None else int(r))
            for s, r in zip(flat[::2], flat[1::2], strict=True)
        ]
        return bool(ready), found

    def band_stats(self, bands: Sequence[tuple[str, str, int, str | None]]) -> list[tuple[int, int | None]]:
        """For each (board, period, score band, ranking): how many members share the band, and
        with a ranking (``competition`` or ``dense``) the rank ties in the band share:
        competition counts the members above the band, dense the distinct scores above it."""

        def fill(pipe: Any) -> None:
            for board_id, period, band, ranking in bands:
                key = self.key(board_id, period)
                pipe.zcount(key, band << 24, f"({(band + 1) << 24}")  # exclusive: exact as a double
                if ranking == "dense":
                    pipe.zrevrank(f"{key}:d", str(band))
                elif ranking == "competition":
                    pipe.zcount(key, (band + 1) << 24, "+inf")

        replies = iter(self._pipeline(fill))
        stats: list[tuple[int, int | None]] = []
        for _, _, _, ranking in bands:
            size = int(next(replies))
            above = next(replies) if ranking else None
            stats.append((size, None if above is None else int(above) + 1))
        return stats

    def all_members(self, board_id: str, period: str) -> dict[str, int]:
        """Every member with its packed value (reconcile)."""
        key = self.key(board_id, period)
        return self._run(lambda c: {m.decode(): int(s) for m, s in c.zscan_iter(key, count=1000)})

    def delete_period(self, board_id: str, period: str) -> None:
        key = self.key(board_id, period)
        self._run(lambda c: c.delete(key, f"{key}:v", f"{key}:d", f"{key}:dc"))


def _ttl_ms(expire_at: int | None, now_ms: int) -> int:
    """Milliseconds left until ``expire_at`` (0: no expiry); a period already past its
    retention by the injected clock gets 1 ms, so it is gone as that clock says it should be."""
    if expire_at is None:
        return 0
    return max(1, expire_at * 1000 - now_ms)


def _rows(raw: list[tuple[bytes, float]]) -> Rows:
    return [(member.decode(), int(score)) for member, score in raw]

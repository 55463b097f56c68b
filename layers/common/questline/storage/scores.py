"""Redis mirror of scores. Redis is disposable: every write here can be rebuilt from DynamoDB,
so failures are logged and swallowed, never allowed to fail a commit."""

from __future__ import annotations

import logging
from typing import Any

import redis

logger = logging.getLogger(__name__)

XP_BOARD = "board:xp:all-time"


class RedisScoreMirror:
    def __init__(self, url: str | None, *, prefix: str = "ql:", redis_client: Any = None) -> None:
        self.url = url
        self.prefix = prefix
        self._client = redis_client

    @property
    def client(self) -> Any:
        if self._client is None and self.url:
            self._client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return self._client

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def mirror_xp(self, totals: dict[str, int]) -> bool:
        """Write absolute XP totals (never an increment). ``GT`` keeps the highest, so a late
        writer carrying an older total cannot roll a score back. Returns False if Redis failed."""
        if not totals or self.client is None:
            return False
        try:
            pipe = self.client.pipeline(transaction=False)
            for user_id, xp in totals.items():
                pipe.zadd(self.key(XP_BOARD), {user_id: xp}, gt=True)
            pipe.execute()
            return True
        except (redis.RedisError, OSError) as exc:  # the mirror is rebuilt later; commits stand
            logger.warning("redis mirror failed: %s", exc)
            return False

    def xp_score(self, user_id: str) -> float | None:
        if self.client is None:
            return None
        score = self.client.zscore(self.key(XP_BOARD), user_id)
        return None if score is None else float(score)

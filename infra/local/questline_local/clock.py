"""A clock the local system's users (and e2e tests) can set: time keeps flowing from the set
instant, so a scenario can jump to "five minutes before the deadline" and watch it pass."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class LocalClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta()

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def set(self, instant: datetime) -> None:
        """From now on, time reads ``instant`` and moves on from there."""
        with self._lock:
            self._offset = instant - datetime.now(UTC)

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()


CLOCK = LocalClock()

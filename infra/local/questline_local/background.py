"""A daemon thread that runs until stopped: the shape every local invoker shares."""

from __future__ import annotations

import threading


class Background:
    """Runs ``_run`` on a daemon thread; ``stop`` asks it to finish and waits."""

    def __init__(self, name: str) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Finish the work in hand, then stop."""
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError

"""Which catalog a process uses at an instant: the version the active pointer's schedule has in
force then. The pointer is read at most once per CATALOG_TTL, and each version it names is
compiled once, when first needed.

A copy of the pointer read at ``read_at`` answers for every instant before ``read_at +
CATALOG_TTL``: any apply made after the read starts at least CATALOG_ACTIVATION_DELAY later,
which is past that. For a later instant the pointer is read again first.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from questline.domain.catalog import CompiledCatalog, compile_catalog
from questline.domain.catalog_schedule import BUNDLE_FILE, CATALOG_TTL, Schedule, ScheduledVersion, in_force
from questline.errors import TransientError
from questline.models.catalog import Catalog
from questline.services.catalog import load_catalog
from questline.storage.catalogs import DynamoCatalogStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Copy:
    schedule: Schedule
    read_at: datetime

    def answers_for(self, instant: datetime, now: datetime) -> bool:
        # A clock set back before the read (tests, the local clock) makes the copy's age unknown.
        expires = self.read_at + CATALOG_TTL
        return self.read_at <= now < expires and instant < expires


class CatalogCache:
    """One process's catalogs. Safe to share between threads (the local system does)."""

    def __init__(self, fallback_path: str | None) -> None:
        self._fallback_path = fallback_path
        self._copy: _Copy | None = None
        self._compiled: dict[tuple[str, str | None], CompiledCatalog] = {}
        self._lock = threading.Lock()

    def at(self, store: DynamoCatalogStore, instant: datetime, now: datetime) -> CompiledCatalog:
        """The version in force at ``instant``; ``now`` is this process's clock, to age the copy."""
        copy = self._copy
        if copy is not None and copy.answers_for(instant, now):
            entry = in_force(copy.schedule, instant)
            compiled = self._compiled.get((entry.version or "", entry.content_hash))
            if compiled is not None:
                return compiled
        with self._lock:
            copy = self._copy
            if copy is None or not copy.answers_for(instant, now):
                copy = self._copy = self._read(store, now)
            return self._compile(store, in_force(copy.schedule, instant))

    def _read(self, store: DynamoCatalogStore, now: datetime) -> _Copy:
        try:
            pointer = store.active()
        except TransientError:
            if self._copy is None:
                raise
            # The copy still names every version applied before it was read; only an apply
            # made since is missed, until the pointer can be read again (a TTL from now).
            logger.warning("catalog pointer unreadable; keeping the copy read at %s", self._copy.read_at)
            return _Copy(self._copy.schedule, now)
        schedule = pointer.schedule if pointer else (BUNDLE_FILE,)
        named = {(e.version or "", e.content_hash) for e in schedule}
        self._compiled = {key: c for key, c in self._compiled.items() if key in named}
        return _Copy(schedule, now)

    def _compile(self, store: DynamoCatalogStore, entry: ScheduledVersion) -> CompiledCatalog:
        key = (entry.version or "", entry.content_hash)
        if key in self._compiled:
            return self._compiled[key]
        if entry.version is None:
            compiled = load_catalog(self._fallback_path)
        else:
            stored = store.get(entry.version)
            if stored is None or stored.bundle is None or stored.content_hash != entry.content_hash:
                # Cannot happen (versions are immutable and written with the pointer); serving
                # another version instead would break the schedule, so the work is retried.
                raise TransientError(f"catalog version {entry.version!r} in force is unreadable")
            compiled = compile_catalog(Catalog.model_validate(stored.bundle))
        self._compiled[key] = compiled
        return compiled

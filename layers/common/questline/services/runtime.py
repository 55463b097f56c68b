"""The wiring of one process: settings, clock, catalog and storage adapters.

Nothing is built at import time, and each adapter is built (and its module imported) only when a
function first uses it: the HTTP ingest function never imports DynamoDB or Redis code, which
keeps its cold start short. Tests build a ``Runtime`` with their own adapters or clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from questline.config import Settings, get_settings

if TYPE_CHECKING:
    from questline.domain.catalog import CompiledCatalog
    from questline.services.catalog_cache import CatalogCache
    from questline.storage.bus import EventBusPublisher
    from questline.storage.catalogs import DynamoCatalogStore
    from questline.storage.leaderboards.dynamo import DynamoBoardStore
    from questline.storage.leaderboards.redis import RedisBoardCache
    from questline.storage.queues import QueueClient
    from questline.storage.users import DynamoUserStore


def utc_now() -> datetime:
    return datetime.now(UTC)


class Runtime:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self._catalog_cache: CatalogCache | None = None

    @property
    def catalog(self) -> CompiledCatalog:
        """The catalog version in force now (see ``catalog_at``)."""
        return self.catalog_at(self.clock())

    def catalog_at(self, instant: datetime) -> CompiledCatalog:
        """The catalog version in force at ``instant``: the one the active pointer's schedule
        starts last at or before it, else the bundle file (CATALOG_PATH or the packaged demo)
        while no applied version is in force yet."""
        if self._catalog_cache is None:
            from questline.services.catalog_cache import CatalogCache

            self._catalog_cache = CatalogCache(self.settings.catalog_path)
        return self._catalog_cache.at(self.catalogs, instant, self.clock())

    @cached_property
    def catalogs(self) -> DynamoCatalogStore:
        from questline.storage.catalogs import DynamoCatalogStore

        return DynamoCatalogStore(self.settings.table_name)

    @cached_property
    def users(self) -> DynamoUserStore:
        from questline.storage.users import DynamoUserStore

        s = self.settings
        return DynamoUserStore(
            s.table_name,
            dedupe_retention_days=s.dedupe_retention_days,
            due_index_shards=s.due_index_shards,
            outbox_grace=s.outbox_grace,
        )

    @cached_property
    def bus(self) -> EventBusPublisher:
        from questline.storage.bus import EventBusPublisher

        return EventBusPublisher(self.settings.event_bus_name)

    @cached_property
    def queues(self) -> QueueClient:
        from questline.storage.queues import QueueClient

        return QueueClient()

    @cached_property
    def board_cache(self) -> RedisBoardCache:
        from questline.storage.leaderboards.redis import RedisBoardCache

        # Through self, so a clock swapped later (the local system's) is the one Redis expiries follow.
        return RedisBoardCache(
            self.settings.redis_url, clock=lambda: self.clock(), prefix=self.settings.redis_key_prefix
        )

    @cached_property
    def board_store(self) -> DynamoBoardStore:
        from questline.storage.leaderboards.dynamo import DynamoBoardStore

        return DynamoBoardStore(self.settings.table_name)


@lru_cache(maxsize=1)
def get_runtime() -> Runtime:
    """The process-wide runtime (Lambda containers reuse it across invocations)."""
    return Runtime(get_settings())

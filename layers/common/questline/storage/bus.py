"""EventBridge adapter: domain events go to one bus, source ``questline``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from questline.domain.state import DomainEvent
from questline.storage.aws import AwsStore
from questline.storage.event_codec import event_json

SOURCE = "questline"
_PUT_EVENTS_LIMIT = 10


class PublishError(Exception):
    """Some entries were not accepted by the bus; the outbox keeps them for the sweep."""


class EventBusPublisher(AwsStore, service="events"):
    def __init__(self, bus_name: str, *, events_client: Any = None) -> None:
        super().__init__(events_client)
        self.bus_name = bus_name

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Put every event on the bus, raising PublishError if any entry failed."""
        for start in range(0, len(events), _PUT_EVENTS_LIMIT):
            chunk = events[start : start + _PUT_EVENTS_LIMIT]
            response = self.client.put_events(Entries=[self._entry(e) for e in chunk])
            if response.get("FailedEntryCount", 0):
                raise PublishError(f"{response['FailedEntryCount']} of {len(chunk)} entries failed")

    def _entry(self, event: DomainEvent) -> dict[str, Any]:
        return {
            "EventBusName": self.bus_name,
            "Source": SOURCE,
            "DetailType": event.name,
            "Time": event.occurred_at,
            "Resources": [],
            "Detail": event_json(event),
        }

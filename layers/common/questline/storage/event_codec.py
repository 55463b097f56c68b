"""Domain events as JSON: the outbox item and the bus's detail share this format."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from questline.domain.state import DomainEvent


def event_to_dict(event: DomainEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "name": event.name,
        "userId": event.user_id,
        "occurredAt": event.occurred_at.isoformat(),
        "detail": event.detail,
        "causedBy": list(event.caused_by),
    }


def event_from_dict(data: dict[str, Any]) -> DomainEvent:
    return DomainEvent(
        id=data["id"],
        name=data["name"],
        user_id=data["userId"],
        occurred_at=datetime.fromisoformat(data["occurredAt"]),
        detail=data["detail"],
        caused_by=tuple(data["causedBy"]),
    )


def event_json(event: DomainEvent) -> str:
    return json.dumps(event_to_dict(event), separators=(",", ":"))

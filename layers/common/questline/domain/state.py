"""A user's gamification state and the domain events a decision emits (pure data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Domain event ids are derived from what happened, so deciding twice (after a conflict, a retry or
# a crash) yields the same ids and consumers can dedupe on them.
_DOMAIN_EVENT_NAMESPACE = uuid.UUID("6f1c1a52-3b5e-4a53-9a0c-2f4f7c9a1d10")


@dataclass(frozen=True)
class Unlock:
    """An achievement a user holds, and the event that unlocked it."""

    achievement_id: str
    unlocked_at: datetime
    event_id: str
    points: int
    catalog_version: str


@dataclass
class UserState:
    """Everything the decide step needs about one user. ``version`` guards concurrent commits."""

    user_id: str
    xp: int = 0
    level: int = 1
    points: int = 0
    counters: dict[str, float] = field(default_factory=dict)
    unlocked: dict[str, Unlock] = field(default_factory=dict)
    version: int = 0
    updated_at: datetime | None = None

    def copy(self) -> UserState:
        return UserState(
            user_id=self.user_id,
            xp=self.xp,
            level=self.level,
            points=self.points,
            counters=dict(self.counters),
            unlocked=dict(self.unlocked),
            version=self.version,
            updated_at=self.updated_at,
        )


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to a user, published to the bus as detail-type ``name``."""

    id: str
    name: str
    user_id: str
    occurred_at: datetime
    detail: dict[str, Any]
    caused_by: tuple[str, ...]

    @staticmethod
    def make(
        name: str,
        user_id: str,
        subject: str,
        occurred_at: datetime,
        detail: dict[str, Any],
        caused_by: tuple[str, ...],
    ) -> DomainEvent:
        """A domain event whose id depends only on (name, user, subject)."""
        event_id = str(uuid.uuid5(_DOMAIN_EVENT_NAMESPACE, f"{name}\x1f{user_id}\x1f{subject}"))
        return DomainEvent(event_id, name, user_id, occurred_at, detail, caused_by)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "userId": self.user_id,
            "occurredAt": self.occurred_at.isoformat(),
            "detail": self.detail,
            "causedBy": list(self.caused_by),
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> DomainEvent:
        return DomainEvent(
            id=data["id"],
            name=data["name"],
            user_id=data["userId"],
            occurred_at=datetime.fromisoformat(data["occurredAt"]),
            detail=data["detail"],
            caused_by=tuple(data["causedBy"]),
        )

"""A user's gamification state and the domain events a decision emits (pure data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

# Domain event ids are derived from what happened, so deciding twice (after a conflict, a retry or
# a crash) yields the same ids and consumers can dedupe on them.
_DOMAIN_EVENT_NAMESPACE = uuid.UUID("6f1c1a52-3b5e-4a53-9a0c-2f4f7c9a1d10")


@dataclass(frozen=True)
class Unlock:
    """One unlock: an achievement, one of its tiers, or one completion of a repeatable one."""

    achievement_id: str
    unlocked_at: datetime
    event_id: str
    points: int
    catalog_version: str
    tier: str | None = None
    completion: int | None = None

    @property
    def record_id(self) -> str:
        """Unique per unlock: ``id``, ``id#tier`` or ``id#n``."""
        if self.tier is not None:
            return f"{self.achievement_id}#{self.tier}"
        if self.completion is not None and self.completion > 1:
            return f"{self.achievement_id}#{self.completion}"
        return self.achievement_id


@dataclass(frozen=True)
class AchievementState:
    """What a user holds of one achievement."""

    first: Unlock | None = None  # the first unlock (or first tier)
    tiers: tuple[str, ...] = ()
    completions: int = 0
    last_completed_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"n": self.completions}
        if self.first is not None:
            u = self.first
            data["f"] = [u.unlocked_at.isoformat(), u.event_id, u.points, u.catalog_version, u.tier]
        if self.tiers:
            data["t"] = list(self.tiers)
        if self.last_completed_at is not None:
            data["lc"] = self.last_completed_at.isoformat()
        return data

    @staticmethod
    def from_dict(achievement_id: str, data: dict[str, Any]) -> AchievementState:
        first = None
        if "f" in data:
            at, event_id, points, version, tier = data["f"]
            first = Unlock(achievement_id, datetime.fromisoformat(at), event_id, points, version, tier)
        last = data.get("lc")
        return AchievementState(
            first=first,
            tiers=tuple(data.get("t", ())),
            completions=data.get("n", 0),
            last_completed_at=datetime.fromisoformat(last) if last else None,
        )


@dataclass
class UserState:
    """Everything the decide step needs about one user. ``version`` guards concurrent commits."""

    user_id: str
    xp: int = 0
    level: int = 1
    points: int = 0
    balances: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    achievements: dict[str, AchievementState] = field(default_factory=dict)
    caps: dict[str, dict[str, int]] = field(default_factory=dict)  # rule id -> day -> earned
    time_zone: str | None = None
    version: int = 0
    updated_at: datetime | None = None

    def copy(self) -> UserState:
        # Metric states are replaced, never mutated in place (see metrics.record), so a shallow
        # copy of the mapping is enough.
        return replace(
            self,
            balances=dict(self.balances),
            metrics=dict(self.metrics),
            achievements=dict(self.achievements),
            caps={rule: dict(days) for rule, days in self.caps.items()},
        )

    @property
    def unlocked(self) -> dict[str, Unlock]:
        """Achievements held, with their first unlock."""
        return {a: s.first for a, s in self.achievements.items() if s.first is not None}

    def balance(self, currency: str) -> int:
        if currency == "xp":
            return self.xp
        if currency == "points":
            return self.points
        return self.balances.get(currency, 0)


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

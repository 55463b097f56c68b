"""A user's gamification state and the domain events a decision emits (pure data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from questline.domain.quests import QuestState
from questline.domain.streaks import StreakState

# Domain event ids are derived from what happened, so deciding twice (after a conflict, a retry or
# a crash) yields the same ids and consumers can dedupe on them.
_DOMAIN_EVENT_NAMESPACE = uuid.UUID("6f1c1a52-3b5e-4a53-9a0c-2f4f7c9a1d10")


@dataclass(frozen=True)
class LedgerEntry:
    """An audit record kept with the commit (direct awards, moderation: who did what, and why)."""

    event_id: str
    at: datetime
    detail: dict[str, Any]


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
    """What the decide step needs to know of one achievement a user holds. It lives in the
    profile, which every event rewrites, so it is kept small: who, how and under which catalog
    version are in the unlock records, read only when someone asks."""

    unlocked_at: datetime | None = None  # the first unlock (or first tier)
    tiers: tuple[str, ...] = ()
    completions: int = 0
    last_completed_at: datetime | None = None


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
    streaks: dict[str, StreakState] = field(default_factory=dict)
    quests: dict[str, QuestState] = field(default_factory=dict)
    boards: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # board -> period -> score
    board_excluded: bool = False  # moderation: kept off every board (scores still counted)
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
            streaks=dict(self.streaks),
            quests=dict(self.quests),
            boards=dict(self.boards),
        )

    @property
    def unlocked(self) -> dict[str, datetime]:
        """Achievements held, with the instant of their first unlock."""
        return {a: s.unlocked_at for a, s in self.achievements.items() if s.unlocked_at is not None}

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

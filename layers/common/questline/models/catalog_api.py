"""The catalog's HTTP views: the public list of achievements (``GET /v1/achievements``) and the
answers of catalog administration (validate, diff, apply, versions). Kept apart from
models/api.py so the HTTP functions that do not serve the catalog never import its models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from questline.models.api import AchievementFields, ApiModel
from questline.models.catalog import Repeatable


class CatalogTier(ApiModel):
    id: str
    title: str | None
    threshold: float
    points: int


class CatalogAchievement(AchievementFields):
    tiers: list[CatalogTier] | None = None
    repeatable: Repeatable | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None


class CatalogAchievementList(ApiModel):
    catalog_version: str
    achievements: list[CatalogAchievement]


# -- catalog administration ----------------------------------------------------------------


class BundleSummary(ApiModel):
    version: str
    content_hash: str
    achievements: int
    xp_rules: int
    boosts: int
    currencies: int
    boards: int = 0


class IdChanges(ApiModel):
    added: list[str]
    removed: list[str]
    changed: list[str]


class CatalogDiff(ApiModel):
    """What applying a bundle would change, by id, against the catalog in effect."""

    from_version: str
    to_version: str
    unchanged: bool
    achievements: IdChanges
    xp: IdChanges
    boosts: IdChanges
    currencies: IdChanges
    boards: IdChanges
    levels_changed: bool
    settings_changed: list[str]


class ApplyResult(ApiModel):
    status: Literal["created", "activated", "unchanged"]  # activated: an existing version again
    version: str
    content_hash: str
    previous_version: str | None  # the newest applied version before this apply
    # From this instant (by the clock of the function deciding) every function uses the version;
    # before it, the version in force when the apply was made. For "unchanged", when the
    # version already applied starts (or started).
    effective_from: datetime


class VersionInfo(ApiModel):
    version: str
    content_hash: str
    applied_by: str
    applied_at: datetime
    size: int
    active: bool  # in force now
    effective_from: datetime | None  # when the pointer's schedule starts it (None: not scheduled)


class ScheduledInfo(ApiModel):
    version: str
    effective_from: datetime


class VersionList(ApiModel):
    active: str | None  # the version in force now; None: the bundle file (no version in force yet)
    active_since: datetime | None  # None: since before the pointer's records
    scheduled: list[ScheduledInfo]  # applied, in force from their effectiveFrom, in that order
    versions: list[VersionInfo]

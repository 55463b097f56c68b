"""The public view of the catalog's achievements (``GET /v1/achievements``). Kept apart from
models/api.py so the HTTP functions that do not list the catalog never import its models."""

from __future__ import annotations

from datetime import datetime

from questline.models.api import ApiModel
from questline.models.catalog import Repeatable


class CatalogTier(ApiModel):
    id: str
    title: str | None
    threshold: float
    points: int


class CatalogAchievement(ApiModel):
    id: str
    title: str
    description: str
    type: str
    category: str | None
    journey: str | None
    points: int
    hidden: bool
    tiers: list[CatalogTier] | None = None
    repeatable: Repeatable | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None


class CatalogAchievementList(ApiModel):
    catalog_version: str
    achievements: list[CatalogAchievement]

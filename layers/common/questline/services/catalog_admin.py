"""Catalog as code: validate, diff, apply and export versioned bundles, and change one achievement
at a time. Every change is a new immutable version; the active pointer moves atomically and every
function's runtime picks it up within its catalog TTL (see ``Runtime.catalog``)."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from questline.errors import CatalogError, NotFoundError
from questline.models.api import ApiModel
from questline.models.catalog import Catalog, cross_reference_errors, parse_catalog
from questline.models.criteria import UNION_TAGS
from questline.models.envelope import field_path
from questline.services.catalog import read_catalog
from questline.storage.catalogs import (
    StoredVersion,
)

if TYPE_CHECKING:
    from questline.services.runtime import Runtime

logger = logging.getLogger(__name__)
APPLY_ATTEMPTS = 5
_SECTIONS = ("achievements", "xp", "boosts", "currencies")


class BundleSummary(ApiModel):
    version: str
    content_hash: str
    achievements: int
    xp_rules: int
    boosts: int
    currencies: int


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
    levels_changed: bool
    settings_changed: list[str]


class ApplyResult(ApiModel):
    status: Literal["created", "activated", "unchanged"]  # activated: an existing version again
    version: str
    content_hash: str
    previous_version: str | None


class VersionInfo(ApiModel):
    version: str
    content_hash: str
    applied_by: str
    applied_at: datetime
    size: int
    active: bool


class VersionList(ApiModel):
    active: str | None
    versions: list[VersionInfo]


def parse_bundle(text: str, media_type: str = "application/yaml") -> Catalog:
    """A bundle from a request body or a file: JSON when ``media_type`` says so, YAML otherwise."""
    if "json" not in media_type:
        return parse_catalog(text)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogError([("", f"not valid JSON: {exc}")]) from exc
    return validate_bundle(data)


def validate_bundle(data: Any) -> Catalog:
    """Validate a decoded bundle exactly as ``parse_catalog`` validates a text one."""
    if not isinstance(data, dict):
        raise CatalogError([("", "a catalog bundle is a mapping")])
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        locations = [(tuple(p for p in e["loc"] if p not in UNION_TAGS), e["msg"]) for e in exc.errors()]
        raise CatalogError([(field_path(loc, root=""), msg) for loc, msg in locations]) from exc
    errors = cross_reference_errors(catalog)
    if errors:
        raise CatalogError(errors)
    return catalog


def summarize(catalog: Catalog) -> BundleSummary:
    assert catalog.version is not None  # set from the content hash when absent
    return BundleSummary(
        version=catalog.version,
        content_hash=catalog.content_hash(),
        achievements=len(catalog.achievements),
        xp_rules=len(catalog.xp),
        boosts=len(catalog.boosts),
        currencies=len(catalog.currencies),
    )


def bundle_document(catalog: Catalog) -> dict[str, Any]:
    """The bundle as stored: camelCase JSON values, unset optional fields left out."""
    return catalog.model_dump(mode="json", by_alias=True, exclude_none=True)


def bundle_yaml(catalog: Catalog) -> str:
    """The bundle as an operator would write it (defaults left out); it parses back to the same hash."""
    import yaml

    document = catalog.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def bundle_schema() -> dict[str, Any]:
    """The JSON Schema of a bundle, by alias (camelCase), for editors and CI checks."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **Catalog.model_json_schema(by_alias=True)}


def version_catalog(runtime: Runtime, version: str) -> Catalog:
    stored = runtime.catalogs.get(version)
    if stored is None or stored.bundle is None:
        raise NotFoundError(f"no catalog version {version!r}")
    return Catalog.model_validate(stored.bundle)


def effective_catalog(runtime: Runtime, active: StoredVersion | None = None) -> Catalog:
    """The active version's bundle, or the bundle file while no version was ever applied."""
    active = active or runtime.catalogs.active()
    if active is None:
        return read_catalog(runtime.settings.catalog_path)
    return version_catalog(runtime, active.version)


def diff_catalogs(base: Catalog, new: Catalog) -> CatalogDiff:
    """Changes by id per section (models compare by value), the level curve, the settings."""

    def changes(section: str) -> IdChanges:
        old = {item.id: item for item in getattr(base, section)}
        cur = {item.id: item for item in getattr(new, section)}
        return IdChanges(
            added=[i for i in cur if i not in old],
            removed=[i for i in old if i not in cur],
            changed=[i for i in cur if i in old and old[i] != cur[i]],
        )

    settings = {"defaultTimeZone": "default_time_zone", "weekStart": "week_start"}
    return CatalogDiff(
        from_version=base.version or "",
        to_version=new.version or "",
        unchanged=base.content_hash() == new.content_hash(),
        levels_changed=base.levels != new.levels,
        settings_changed=[alias for alias, name in settings.items() if getattr(base, name) != getattr(new, name)],
        **{section: changes(section) for section in _SECTIONS},
    )


def diff_bundle(runtime: Runtime, catalog: Catalog) -> CatalogDiff:
    """What applying ``catalog`` would change in the catalog in effect."""
    return diff_catalogs(effective_catalog(runtime), catalog)


def list_versions(runtime: Runtime) -> VersionList:
    active = runtime.catalogs.active()
    current = active.version if active else None
    views = [
        VersionInfo(**{**v.__dict__, "active": v.version == current})
        for v in runtime.catalogs.versions()
    ]
    return VersionList(active=current, versions=views)

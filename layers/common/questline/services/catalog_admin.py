"""Catalog as code: validate, diff, apply and export versioned bundles, and change one achievement
at a time. Every change is a new immutable version; the active pointer moves atomically and
schedules the version from ``effectiveFrom`` (the apply's instant + CATALOG_ACTIVATION_DELAY),
the instant from which every function uses it (see ``Runtime.catalog_at``). Diffs, exports and
achievement edits work on the newest applied version, in force or scheduled."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from questline.domain.catalog_schedule import CATALOG_ACTIVATION_DELAY, in_force, pending, schedule_apply
from questline.errors import CatalogError, CommitConflictError, NotFoundError
from questline.models.api import ApiModel
from questline.models.catalog import Catalog, validate_catalog_data
from questline.services.catalog import read_catalog
from questline.storage.catalogs import (
    ActiveMoved,
    ActivePointer,
    BundleTooLarge,
    DynamoCatalogStore,
    StoredVersion,
    VersionTaken,
)

if TYPE_CHECKING:
    from questline.services.runtime import Runtime

APPLY_ATTEMPTS = 5
_SECTIONS = ("achievements", "xp", "boosts", "currencies", "boards")


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


def parse_document(text: str, media_type: str = "application/yaml") -> dict[str, Any]:
    """A mapping from a request body or a file: JSON when ``media_type`` says so, YAML otherwise."""
    import yaml  # only catalog administration needs it

    try:
        data = json.loads(text) if "json" in media_type else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CatalogError([("", f"not valid {'JSON' if 'json' in media_type else 'YAML'}: {exc}")]) from exc
    if not isinstance(data, dict):
        raise CatalogError([("", "expected a mapping")])
    return data


def parse_bundle(text: str, media_type: str = "application/yaml") -> Catalog:
    """A validated bundle from a request body or a file (JSON or YAML)."""
    return validate_catalog_data(parse_document(text, media_type))


validate_bundle = validate_catalog_data


def summarize(catalog: Catalog) -> BundleSummary:
    assert catalog.version is not None  # set from the content hash when absent
    return BundleSummary(
        version=catalog.version,
        content_hash=catalog.content_hash(),
        achievements=len(catalog.achievements),
        xp_rules=len(catalog.xp),
        boosts=len(catalog.boosts),
        currencies=len(catalog.currencies),
        boards=len(catalog.boards),
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
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Catalog.model_json_schema(by_alias=True),
    }


def version_catalog(runtime: Runtime, version: str) -> Catalog:
    stored = runtime.catalogs.get(version)
    if stored is None or stored.bundle is None:
        raise NotFoundError(f"no catalog version {version!r}")
    return Catalog.model_validate(stored.bundle)


def effective_catalog(runtime: Runtime, active: ActivePointer | None = None) -> Catalog:
    """The newest applied version's bundle (in force or scheduled), or the bundle file while no
    version was ever applied."""
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
        settings_changed=[
            alias for alias, name in settings.items() if getattr(base, name) != getattr(new, name)
        ],
        **{section: changes(section) for section in _SECTIONS},
    )


def diff_bundle(runtime: Runtime, catalog: Catalog) -> CatalogDiff:
    """What applying ``catalog`` would change in the newest applied version."""
    return diff_catalogs(effective_catalog(runtime), catalog)


def list_versions(runtime: Runtime) -> VersionList:
    """Every version, which one is in force now (by this function's clock) and which are scheduled."""
    pointer, now = runtime.catalogs.active(), runtime.clock()
    schedule = pointer.schedule if pointer else ()
    current = in_force(schedule, now)
    upcoming = pending(schedule, now)
    starts = {e.version: e.effective_from for e in (current, *upcoming)}
    views = [
        VersionInfo(
            version=v.version,
            content_hash=v.content_hash,
            applied_by=v.applied_by,
            applied_at=v.applied_at,
            size=v.size,
            active=v.version == current.version,
            effective_from=starts.get(v.version),
        )
        for v in runtime.catalogs.versions()
    ]
    return VersionList(
        active=current.version,
        active_since=current.effective_from,
        scheduled=[
            ScheduledInfo(version=e.version, effective_from=e.effective_from)
            for e in upcoming
            if e.version is not None and e.effective_from is not None  # always: only applies start later
        ],
        versions=views,
    )


# -- changes: each one a new version -------------------------------------------------------


def apply_bundle(runtime: Runtime, catalog: Catalog, actor: str) -> ApplyResult:
    """Make ``catalog`` the active version: "created" (a new version), "activated" (a version that
    already holds this content, e.g. a rollback) or "unchanged" (the active content already)."""
    return _apply(runtime, lambda _active: catalog, actor)


def put_achievement(runtime: Runtime, achievement_id: str, data: dict[str, Any], actor: str) -> ApplyResult:
    """Create or replace one achievement: a new version derived from the newest applied one."""
    if data.get("id", achievement_id) != achievement_id:
        raise CatalogError([("id", f"the body's id must be the path's id {achievement_id!r}")])

    def derive(active: ActivePointer | None) -> Catalog:
        document = bundle_document(effective_catalog(runtime, active))
        entry = {**data, "id": achievement_id}
        # Replaced where it stood (the order is the order listings show), else appended.
        kept = [entry if a["id"] == achievement_id else a for a in document["achievements"]]
        if entry not in kept:
            kept.append(entry)
        return _derived(document, kept)

    return _apply(runtime, derive, actor)


def delete_achievement(runtime: Runtime, achievement_id: str, actor: str) -> ApplyResult:
    """Remove one achievement: a new version derived from the newest applied one. Refused (with
    the path of each reference) while another achievement requires it."""

    def derive(active: ActivePointer | None) -> Catalog:
        document = bundle_document(effective_catalog(runtime, active))
        kept = [a for a in document["achievements"] if a["id"] != achievement_id]
        if len(kept) == len(document["achievements"]):
            raise NotFoundError(f"no achievement {achievement_id!r} in the active catalog")
        return _derived(document, kept)

    return _apply(runtime, derive, actor)


def _derived(document: dict[str, Any], achievements: list[dict[str, Any]]) -> Catalog:
    # A derived bundle is named by its content hash: its predecessor's name would be a lie.
    document.pop("version", None)
    return validate_bundle({**document, "achievements": achievements})


def _apply(runtime: Runtime, build: Callable[[ActivePointer | None], Catalog], actor: str) -> ApplyResult:
    store = runtime.catalogs
    for _ in range(APPLY_ATTEMPTS):
        active = store.active()
        try:
            return _apply_once(store, build(active), active, actor, runtime.clock())
        except (ActiveMoved, VersionTaken):
            continue  # a concurrent apply won: start again from what it made active
    raise CommitConflictError(f"the active catalog kept changing over {APPLY_ATTEMPTS} attempts")


def _apply_once(
    store: DynamoCatalogStore, catalog: Catalog, active: ActivePointer | None, actor: str, now: datetime
) -> ApplyResult:
    content_hash, version = catalog.content_hash(), catalog.version or ""
    previous = active.version if active else None
    if active is not None and active.content_hash == content_hash:
        starts = active.schedule[-1].effective_from or active.latest.applied_at
        return ApplyResult(
            status="unchanged",
            version=active.version,
            content_hash=content_hash,
            previous_version=previous,
            effective_from=starts,
        )
    schedule = schedule_apply(
        active.schedule if active else (), version, content_hash, now, CATALOG_ACTIVATION_DELAY
    )
    scheduled_from = schedule[-1].effective_from
    assert scheduled_from is not None  # schedule_apply always dates the entry it adds
    record = StoredVersion(version, content_hash, actor, now)
    existing = store.get(version, with_bundle=False)
    if existing is None:
        try:
            store.create(record, bundle_document(catalog), schedule, active)
        except BundleTooLarge as exc:
            raise CatalogError([("", str(exc))]) from exc
        status: Literal["created", "activated"] = "created"
    elif existing.content_hash != content_hash:
        message = (
            f"version {version!r} already exists with other content (applied by {existing.applied_by} at "
            f"{existing.applied_at.isoformat()}); versions are immutable: give a new version, or leave "
            "version out to name it by its content hash"
        )
        raise CatalogError([("version", message)])
    else:
        store.activate(record, schedule, active)
        status = "activated"
    return ApplyResult(
        status=status,
        version=version,
        content_hash=content_hash,
        previous_version=previous,
        effective_from=scheduled_from,
    )

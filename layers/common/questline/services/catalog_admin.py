"""Catalog as code: validate, diff, apply and export versioned bundles. Every change is a new
immutable version; the active pointer moves atomically and schedules the version from
``effectiveFrom`` (the apply's instant + CATALOG_ACTIVATION_DELAY), the instant from which every
function uses it (see ``Runtime.catalog_at``). Diffs and exports work on the newest applied
version, in force or scheduled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from questline.domain.catalog_schedule import CATALOG_ACTIVATION_DELAY, in_force, pending, schedule_apply
from questline.errors import CatalogError, CommitConflictError, NotFoundError
from questline.models.catalog import Catalog
from questline.models.catalog_api import (
    ApplyResult,
    BundleSummary,
    CatalogDiff,
    IdChanges,
    ScheduledInfo,
    VersionInfo,
    VersionList,
)
from questline.models.catalog_bundle import bundle_document
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
    return apply_derived(runtime, lambda _active: catalog, actor)


def apply_derived(
    runtime: Runtime, build: Callable[[ActivePointer | None], Catalog], actor: str
) -> ApplyResult:
    """Make the catalog ``build`` derives from the active pointer the active version, building it
    again from what a concurrent apply made active when that apply wins the race."""
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

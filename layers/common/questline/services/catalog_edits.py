"""Changing one achievement at a time: each edit is a new catalog version derived from the newest
applied one (in force or scheduled), named by its content hash, and applied like a bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from questline.errors import CatalogError, NotFoundError
from questline.models.catalog import Catalog
from questline.models.catalog_api import ApplyResult
from questline.models.catalog_bundle import bundle_document, validate_catalog
from questline.services.catalog_admin import apply_derived, effective_catalog
from questline.storage.catalogs import ActivePointer

if TYPE_CHECKING:
    from questline.services.runtime import Runtime


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

    return apply_derived(runtime, derive, actor)


def delete_achievement(runtime: Runtime, achievement_id: str, actor: str) -> ApplyResult:
    """Remove one achievement: a new version derived from the newest applied one. Refused (with
    the path of each reference) while another achievement requires it."""

    def derive(active: ActivePointer | None) -> Catalog:
        document = bundle_document(effective_catalog(runtime, active))
        kept = [a for a in document["achievements"] if a["id"] != achievement_id]
        if len(kept) == len(document["achievements"]):
            raise NotFoundError(f"no achievement {achievement_id!r} in the active catalog")
        return _derived(document, kept)

    return apply_derived(runtime, derive, actor)


def _derived(document: dict[str, Any], achievements: list[dict[str, Any]]) -> Catalog:
    # A derived bundle is named by its content hash: its predecessor's name would be a lie.
    document.pop("version", None)
    return validate_catalog({**document, "achievements": achievements})

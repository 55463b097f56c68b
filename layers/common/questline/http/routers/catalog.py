"""Catalog administration: validate, diff, apply and export versioned bundles, and change one
achievement at a time. Admin role only (403 otherwise). Invalid bundles get 422, each error naming
its path inside the bundle (``achievements[0].criteria.metric``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from questline.errors import CatalogError, RequestRejected
from questline.http.auth import Principal, Role, require_role
from questline.http.deps import PrincipalDep, RuntimeDep
from questline.http.strict_body import YAML_MEDIA_TYPES, media_type
from questline.models.api import ErrorResponse
from questline.models.catalog import Catalog
from questline.models.catalog_api import ApplyResult, BundleSummary, CatalogDiff, VersionList
from questline.models.catalog_bundle import (
    BundleFormat,
    bundle_document,
    bundle_schema,
    bundle_yaml,
    parse_catalog,
    parse_document,
)
from questline.models.envelope import Identifier
from questline.services import catalog_admin as admin
from questline.services import catalog_edits as edits

router = APIRouter(tags=["catalog admin"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse, "description": "Caller is not an admin"},
    422: {"model": ErrorResponse, "description": "Invalid bundle: each error names its path"},
}
# The body is read raw (JSON or YAML), so OpenAPI is told what it may be.
_BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A catalog bundle; its JSON Schema is served at /v1/admin/catalog/schema.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


_ACHIEVEMENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "One achievement as in a bundle's ``achievements`` list (``id`` may be left out).",
        "content": _BUNDLE_BODY["requestBody"]["content"],
    }
}


def admin_principal(principal: PrincipalDep) -> Principal:
    require_role(principal, Role.ADMIN)
    return principal


AdminDep = Annotated[Principal, Depends(admin_principal)]


async def body_text(request: Request) -> tuple[str, BundleFormat]:
    """The raw body and whether it is YAML (by content type) or JSON (anything else)."""
    yaml = media_type(request.headers.get("content-type")) in YAML_MEDIA_TYPES
    text = (await request.body()).decode("utf-8", errors="replace")  # the body gate refused non-UTF-8
    return text, "yaml" if yaml else "json"


BodyDep = Annotated[tuple[str, BundleFormat], Depends(body_text)]


@contextmanager
def bundle_errors_as_422() -> Iterator[None]:
    """Bundle errors become the API's 422 body, one entry per path (the root is ``body``)."""
    try:
        yield
    except CatalogError as exc:
        fields = [{"field": path or "body", "message": message} for path, message in exc.errors]
        raise RequestRejected("the catalog bundle is invalid", fields) from exc


def _bundle(body: tuple[str, BundleFormat]) -> Catalog:
    with bundle_errors_as_422():
        return parse_catalog(*body)


@router.post(
    "/v1/admin/catalog/validate",
    responses=_ERRORS,
    openapi_extra=_BUNDLE_BODY,
    summary="Validate a bundle (admin)",
)
def validate_catalog(principal: AdminDep, body: BodyDep) -> BundleSummary:
    """Admin only. Validates a bundle (JSON, or YAML with a YAML content type) without applying it:
    200 with its version, content hash and counts, or 422 naming each problem's path."""
    return admin.summarize(_bundle(body))


@router.post(
    "/v1/admin/catalog/diff",
    responses=_ERRORS,
    openapi_extra=_BUNDLE_BODY,
    summary="Diff a bundle against the active catalog (admin)",
)
def diff_catalog(principal: AdminDep, body: BodyDep, runtime: RuntimeDep) -> CatalogDiff:
    """Admin only. Ids added, removed and changed per section, and whether levels or settings change."""
    return admin.diff_bundle(runtime, _bundle(body))


@router.post(
    "/v1/admin/catalog", responses=_ERRORS, openapi_extra=_BUNDLE_BODY, summary="Apply a bundle (admin)"
)
def apply_catalog(principal: AdminDep, body: BodyDep, runtime: RuntimeDep, response: Response) -> ApplyResult:
    """Admin only. Makes the bundle the active version: 201 when a version is created; 200 when
    it re-activates an existing version or changes nothing. A ``version`` that already exists
    with other content is refused (422 on ``version``): versions are immutable. The version is in
    force from ``effectiveFrom``, 60 s after the apply: every function (this one included) uses it
    for anything it decides or serves from that instant, and the version in force before for
    anything earlier."""
    catalog = _bundle(body)
    with bundle_errors_as_422():
        result = admin.apply_bundle(runtime, catalog, principal.subject)
    response.status_code = status.HTTP_201_CREATED if result.status == "created" else status.HTTP_200_OK
    return result


@router.get(
    "/v1/admin/catalog",
    responses={
        **_ERRORS,
        200: {"content": {"application/yaml": {}, "application/json": {}}},
        404: {"model": ErrorResponse},
    },
    summary="Export the newest applied (or a given) version (admin)",
)
def export_catalog(
    principal: AdminDep,
    runtime: RuntimeDep,
    version: Annotated[
        str | None, Query(description="A version; the newest applied one (in force or scheduled) when absent")
    ] = None,
    output: Annotated[Literal["yaml", "json"], Query(alias="format")] = "yaml",
) -> Response:
    """Admin only. The bundle as YAML (or JSON with ``format=json``); it applies back unchanged."""
    catalog = admin.version_catalog(runtime, version) if version else admin.effective_catalog(runtime)
    if output == "json":
        return JSONResponse(bundle_document(catalog))
    return Response(bundle_yaml(catalog), media_type="application/yaml")


@router.get("/v1/admin/catalog/versions", responses=_ERRORS, summary="List catalog versions (admin)")
def catalog_versions(principal: AdminDep, runtime: RuntimeDep) -> VersionList:
    """Admin only. Every version ever applied, newest first; which one is in force now (``active``,
    null while the bundle file is) and which are scheduled, each with its ``effectiveFrom``."""
    return admin.list_versions(runtime)


@router.get("/v1/admin/catalog/schema", responses=_ERRORS, summary="JSON Schema of a bundle (admin)")
def catalog_schema(principal: AdminDep) -> dict[str, Any]:
    """Admin only. The JSON Schema (draft 2020-12, camelCase names) a bundle must satisfy."""
    return bundle_schema()


AchievementIdPath = Annotated[Identifier, Path(alias="achievementId")]


@router.put(
    "/v1/admin/achievements/{achievementId}",
    responses=_ERRORS,
    openapi_extra=_ACHIEVEMENT_BODY,
    summary="Create or replace an achievement (admin)",
)
def put_achievement(
    achievement_id: AchievementIdPath, principal: AdminDep, body: BodyDep, runtime: RuntimeDep
) -> ApplyResult:
    """Admin only. Creates or replaces one achievement (JSON or YAML body; ``id`` may be left
    out): a new catalog version derived from the active one, named by its content hash."""
    with bundle_errors_as_422():
        data = parse_document(*body, what="an achievement")
        return edits.put_achievement(runtime, achievement_id, data, principal.subject)


@router.delete(
    "/v1/admin/achievements/{achievementId}",
    responses={**_ERRORS, 404: {"model": ErrorResponse}},
    summary="Delete an achievement (admin)",
)
def delete_achievement(
    achievement_id: AchievementIdPath, principal: AdminDep, runtime: RuntimeDep
) -> ApplyResult:
    """Admin only. Removes one achievement: a new catalog version derived from the active one.
    422 while another achievement requires it. Users keep what they unlocked."""
    with bundle_errors_as_422():
        return edits.delete_achievement(runtime, achievement_id, principal.subject)

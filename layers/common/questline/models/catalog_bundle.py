"""The catalog bundle as text, both ways: the one parser (YAML or JSON -> a validated ``Catalog``)
that bundle files, the CLI and the admin API all use, and the documents it is written back as.

Validation errors name the path inside the bundle (``achievements[3].criteria.all[1].metric``)
and the problem; cross-references (prerequisites, currencies) are checked after the shapes.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any, Literal

from pydantic import ValidationError

from questline.errors import CatalogError
from questline.models.catalog import Catalog
from questline.models.catalog_refs import cross_reference_errors
from questline.models.criteria import UNION_TAGS
from questline.models.envelope import field_path

BundleFormat = Literal["yaml", "json"]


def format_of(path: str | PurePath) -> BundleFormat:
    """A bundle file's format by its name: JSON for ``.json``, YAML otherwise."""
    return "json" if PurePath(path).suffix.lower() == ".json" else "yaml"


def parse_catalog(text: str, fmt: BundleFormat = "yaml") -> Catalog:
    """Parse a YAML or JSON bundle, raising CatalogError with the path of every problem."""
    return validate_catalog(parse_document(text, fmt))


def parse_document(text: str, fmt: BundleFormat = "yaml", what: str = "a catalog bundle") -> dict[str, Any]:
    """The mapping a YAML or JSON text holds (a bundle, or ``what`` else a bundle is made of)."""
    import yaml  # only catalog loading needs it; keep it off the import path of hot handlers

    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CatalogError([("", f"not valid {fmt.upper()}: {exc}")]) from exc
    if not isinstance(data, dict):
        raise CatalogError([("", f"{what} is a mapping")])
    return data


def validate_catalog(data: dict[str, Any]) -> Catalog:
    """Validate a decoded bundle (from YAML or JSON): shapes first, then cross-references."""
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        located = [(tuple(p for p in e["loc"] if p not in UNION_TAGS), e["msg"]) for e in exc.errors()]
        raise CatalogError([(field_path(loc, root=""), message) for loc, message in located]) from exc
    errors = cross_reference_errors(catalog)
    if errors:
        raise CatalogError(errors)
    return catalog


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

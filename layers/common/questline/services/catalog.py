"""Loading the active catalog: from CATALOG_PATH, else the packaged demo catalog."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from questline.domain.catalog import CompiledCatalog, compile_catalog
from questline.models.catalog import Catalog
from questline.models.catalog_bundle import format_of, parse_catalog


def read_catalog(path: str | Path | None) -> Catalog:
    """Read and validate a bundle file, JSON or YAML by its name (the demo bundle when ``path`` is None)."""
    if path is None:
        return parse_catalog(resources.files("questline").joinpath("catalogs/demo.yaml").read_text("utf-8"))
    return parse_catalog(Path(path).read_text("utf-8"), format_of(path))


@lru_cache(maxsize=4)
def load_catalog(path: str | None) -> CompiledCatalog:
    """The compiled catalog, read once per process (Lambda containers reuse it across calls)."""
    return compile_catalog(read_catalog(path))

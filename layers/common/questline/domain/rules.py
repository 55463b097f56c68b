"""The catalog compiled for evaluation: indexes by event type, so an event only meets the rules
it can affect and the cost per event does not grow with unrelated rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from questline.models.catalog import Achievement, Catalog, Counter


@dataclass(frozen=True)
class CompiledCatalog:
    catalog: Catalog
    version: str
    level_thresholds: tuple[int, ...]
    xp_by_type: dict[str, int]
    counters_by_type: dict[str, tuple[Counter, ...]]
    achievements_by_counter: dict[str, tuple[Achievement, ...]]
    achievements_by_id: dict[str, Achievement]


def compile_catalog(catalog: Catalog) -> CompiledCatalog:
    """Index a validated catalog for the decide step."""
    counters: dict[str, dict[str, Counter]] = defaultdict(dict)
    by_counter: dict[str, list[Achievement]] = defaultdict(list)
    for achievement in catalog.achievements:
        counter = achievement.counter
        counters[counter.event_type][counter.key] = counter
        by_counter[counter.key].append(achievement)
    return CompiledCatalog(
        catalog=catalog,
        version=catalog.version or "",
        level_thresholds=tuple(catalog.levels.table()),
        xp_by_type={rule.event_type: rule.xp for rule in catalog.xp},
        counters_by_type={t: tuple(c.values()) for t, c in counters.items()},
        achievements_by_counter={k: tuple(v) for k, v in by_counter.items()},
        achievements_by_id={a.id: a for a in catalog.achievements},
    )


def counter_increment(counter: Counter, payload: dict[str, Any]) -> float:
    """How much one matching event adds to ``counter``; a missing or non-numeric field adds 0."""
    if counter.aggregate == "count":
        return 1
    value: Any = payload
    for part in (counter.field or "").split("."):
        if not isinstance(value, dict):
            return 0
        value = value.get(part)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return value

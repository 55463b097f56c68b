"""Events per second through the pure decide step: no parsing, no storage, state in memory.
A decision holds everything its commit writes, board score items included, so deriving those
counts here (on the demo catalog's boards, most of a one-event call's extra cost).

(a) the demo catalog, a user's batch of 10 events decided in one call or one event per call;
(b) a catalog of 10 achievement rules against one of 1,000 in which the same 10 match the event
types used, to show the cost per event does not grow with unrelated rules.
"""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta

from questline.domain.catalog import CompiledCatalog, compile_catalog
from questline.domain.decide import decide
from questline.domain.state import UserState
from questline.models.catalog_bundle import parse_catalog
from questline.models.envelope import EventEnvelope
from questline.services.catalog import load_catalog
from tests.bench.report import heading, median_seconds, table
from tests.bench.workload import TYPE_WEIGHTS
from tests.factories import NOW, event

EVENTS_PER_USER = 10
USED_TYPES = [f"bench.kind{i}.done" for i in range(5)]

Batch = tuple[str, list[EventEnvelope]]


def run(quick: bool = False) -> str:
    users, runs = (300, 3) if quick else (1000, 7)
    rng = random.Random(11)
    demo = load_catalog(None)
    demo_batches = _batches(users, list(TYPE_WEIGHTS), rng)
    small, large, compile_seconds = _rule_catalogs()
    rule_batches = _batches(users, USED_TYPES, rng)
    events = users * EVENTS_PER_USER

    seconds = median_seconds(
        {
            "demo catalog, 10 events per call": lambda: _per_batch(demo_batches, demo),
            "demo catalog, 1 event per call": lambda: _per_event(demo_batches, demo),
            "10 achievement rules, 10 per call": lambda: _per_batch(rule_batches, small),
            "1,000 rules (same 10 match), 10 per call": lambda: _per_batch(rule_batches, large),
        },
        runs=runs,
    )
    rows = [[label, f"{events / s:,.0f}", f"{s / events * 1e6:.1f}"] for label, s in seconds.items()]
    small_s, large_s = list(seconds.values())[2:]
    return "\n".join(
        [
            heading("decide: the pure decide step"),
            f"{users:,} new users x {EVENTS_PER_USER} events each (unlocks and level-ups included), "
            f"median of {runs} interleaved runs after a warm-up; one core.",
            "",
            table(["workload", "events/s", "us/event"], rows),
            _verdict(large_s / small_s),
            f"Parsing and compiling the 1,000-rule catalog took {compile_seconds * 1000:,.0f} ms "
            "(once per container, at the first event).",
        ]
    )


def _verdict(ratio: float) -> str:
    # Run-to-run noise on this machine is a few percent: below 1.15x the cost per event is flat.
    seen = "are not visited" if ratio < 1.15 else "ARE being visited"
    return f"1,000 rules cost {ratio:.2f}x the 10-rule catalog per event: unrelated rules {seen}."


def _per_batch(batches: list[Batch], catalog: CompiledCatalog) -> None:
    for user_id, events in batches:
        decide(UserState(user_id), events, catalog, NOW)


def _per_event(batches: list[Batch], catalog: CompiledCatalog) -> None:
    for user_id, events in batches:
        state = UserState(user_id)
        for one in events:
            state = decide(state, [one], catalog, NOW).state


def _batches(users: int, types: list[str], rng: random.Random) -> list[Batch]:
    start = NOW - timedelta(hours=1)
    batches = []
    for u in range(users):
        user_id = f"user-{u:05d}"
        events = [
            event(
                user_id,
                rng.choice(types),
                id=f"{user_id}-{i}",
                at=start + timedelta(seconds=i),
                payload={"steps": rng.randrange(500, 9000), "amount": rng.randrange(1, 50)},
            )
            for i in range(EVENTS_PER_USER)
        ]
        batches.append((user_id, events))
    return batches


def _rule_catalogs() -> tuple[CompiledCatalog, CompiledCatalog, float]:
    """Two catalogs with the same 10 achievements on USED_TYPES; the large one adds 990 on
    event types no benchmark event has (each with its XP rule too)."""
    matching = []
    for i, event_type in enumerate(USED_TYPES):
        count = {"events": {"type": event_type}}
        total = {"events": {"type": event_type}, "aggregate": "sum", "field": "amount"}
        matching += [_achievement(f"count-{i}", count, 3), _achievement(f"sum-{i}", total, 100)]
    unrelated_types = [f"other.kind{k}.done" for k in range(990)]
    unrelated = [
        _achievement(f"other-{k}", {"events": {"type": t}}, 5) for k, t in enumerate(unrelated_types)
    ]
    small = _catalog(matching, USED_TYPES)
    started = time.perf_counter()
    large = _catalog(matching + unrelated, USED_TYPES + unrelated_types)
    return small, large, time.perf_counter() - started


def _achievement(achievement_id: str, metric: dict[str, object], threshold: int) -> dict[str, object]:
    return {
        "id": achievement_id,
        "title": achievement_id.title(),
        "points": 10,
        "criteria": {"metric": metric, "threshold": threshold},
    }


def _catalog(achievements: list[dict[str, object]], xp_types: list[str]) -> CompiledCatalog:
    bundle = {
        "version": f"bench-{len(achievements)}",
        "xp": [{"id": f"xp-{i}", "events": {"type": t}, "amount": 10} for i, t in enumerate(xp_types)],
        "levels": {"thresholds": [0, 100, 250, 500, 1000]},
        "achievements": achievements,
    }
    return compile_catalog(parse_catalog(json.dumps(bundle)))

"""What the leaderboard tests share: a catalog with boards, sending events, calling the API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from questline.http.app import local_app
from questline.services.ingest_batch import BatchOutcome, InboundRecord, process_batch
from questline.services.runtime import Runtime
from tests.factories import NOW, event_dict
from tests.support.apps import serving
from tests.support.auth import auth  # noqa: F401 - re-exported for the leaderboard tests

CATALOG = """
version: boards-it-1
currencies: [{id: coins}]
xp: [{id: xp, events: {type: "*"}, fromField: {field: n, factor: 1}}]
levels: {thresholds: [0, 100000000]}
achievements:
  - {id: champion, title: Champion, criteria: {metric: {events: {type: never.happens}}, threshold: 1}}
boards:
  - {id: all-xp, title: All-time XP}
  - id: weekly-xp
    title: Weekly XP
    period: week
    snapshotSize: 10
    retention: {duration: 14, unit: days}
    prizes:
      - {fromRank: 1, toRank: 1, grants: [{currency: coins, amount: 100}], achievement: champion}
      - {fromRank: 2, toRank: 3, grants: [{currency: coins, amount: 10}]}
  - {id: daily-shared, title: Daily (shared ties), period: day, tieBreak: none, ranking: dense,
     retention: {duration: 2, unit: days}}
"""
WEEK = "2026-11-16"  # the week holding NOW (Saturday 2026-11-21)


@pytest.fixture(name="catalog_text")
def boards_catalog() -> str:
    """The catalog above instead of the test catalog, for every test of a module importing this."""
    return CATALOG


def write_catalog(directory: Path) -> Path:
    path = directory / "catalog.yaml"
    path.write_text(CATALOG)
    return path


def api_client(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    return TestClient(serving(local_app(), runtime, monkeypatch))


def xp(user: str, n: int, *, at: datetime | None = None, id: str | None = None) -> dict[str, Any]:
    """An event worth ``n`` XP to ``user`` (a minute before NOW unless ``at``)."""
    return event_dict(user, "game.round.won", id=id, at=at or NOW - timedelta(minutes=1), payload={"n": n})


def send(runtime: Runtime, *events: dict[str, Any]) -> BatchOutcome:
    records = [InboundRecord(f"m-{i}", json.dumps(e)) for i, e in enumerate(events)]
    return process_batch(records, runtime)


def standings(runtime: Runtime, scores: dict[str, int]) -> None:
    """Give each user their score, one event each, at distinct instants in dict order (the
    first listed reached its score first)."""
    start = NOW - timedelta(hours=1)
    send(runtime, *[xp(u, n, at=start + timedelta(minutes=i)) for i, (u, n) in enumerate(scores.items())])

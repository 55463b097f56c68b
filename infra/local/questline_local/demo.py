"""``questline-local demo``: load a running local system over HTTP and time it end to end.

Posts N events for U fresh users (in requests of 100, as an upstream service would) with a
service token, then waits until every user's profile reflects all their events, and prints
events per second for the posting and for the whole trip through queue, poller, progress
function and table. What "reflects" means comes from the engine itself: the pure decide step,
run here on each user's events with the same catalog, gives the XP, points and balances the
profile must show (a count would not do: the demo catalog caps daily XP, for one).
"""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from questline_local.devauth import dev_token

EVENT_TYPE = "health.metric.recorded"
REQUEST_SIZE = 100  # the API's default MAX_EVENTS_PER_REQUEST
PROFILE_FIELDS = ("xp", "points", "balances")


@dataclass(frozen=True)
class DemoResult:
    events: int
    users: int
    post_seconds: float
    total_seconds: float


def make_events(
    count: int, user_ids: list[str], now: datetime, seed: int | None = None
) -> list[dict[str, Any]]:
    """``count`` valid events spread at random over ``user_ids``, all within the last hour."""
    rng = random.Random(seed)
    return [
        {
            "id": f"demo-{uuid.uuid4().hex}",
            "type": EVENT_TYPE,
            "userId": rng.choice(user_ids),
            "timestamp": (now - timedelta(seconds=rng.randint(0, 3600))).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "version": "1.0",
            "journey": "health",
            "payload": {"steps": rng.randint(100, 4000)},
        }
        for _ in range(count)
    ]


def expected_profiles(
    events: list[dict[str, Any]], catalog_path: str | None, now: datetime
) -> dict[str, dict[str, Any]]:
    """For each user, the profile fields their events must produce, by the decide step."""
    from questline.domain.decide import decide, order_events
    from questline.domain.state import UserState
    from questline.models.envelope import EventEnvelope
    from questline.services.catalog import load_catalog

    catalog = load_catalog(catalog_path)
    by_user: dict[str, list[EventEnvelope]] = defaultdict(list)
    for event in events:
        by_user[event["userId"]].append(EventEnvelope.model_validate(event))
    expected = {}
    for user_id, envelopes in by_user.items():
        state = decide(UserState(user_id=user_id), order_events(envelopes), catalog, now).state
        expected[user_id] = {"xp": state.xp, "points": state.points, "balances": dict(state.balances)}
    return expected


def run_demo(
    url: str,
    events: int,
    users: int,
    *,
    catalog_path: str | None = None,
    secret: str | None = None,
    concurrency: int = 4,
    timeout: float = 600,
) -> DemoResult:
    """Post the events, wait for every profile to reflect them; raises TimeoutError if not."""
    run_id = uuid.uuid4().hex[:6]
    user_ids = [f"demo-{run_id}-{n:04d}" for n in range(users)]
    now = datetime.now(UTC)
    batch = make_events(events, user_ids, now)
    expected = expected_profiles(batch, catalog_path, now)
    headers = {"Authorization": f"Bearer {dev_token('demo-loader', ['service'], secret=secret)}"}
    requests = [batch[i : i + REQUEST_SIZE] for i in range(0, len(batch), REQUEST_SIZE)]

    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for accepted in pool.map(lambda chunk: _post(client, chunk), requests):
                if accepted:
                    raise RuntimeError(f"the API rejected events: {accepted}")
        posted = time.monotonic()
        deadline = started + timeout
        for user_id, profile in expected.items():
            _wait_for_profile(client, user_id, profile, deadline)
        finished = time.monotonic()
    return DemoResult(events, len(expected), posted - started, finished - started)


def _post(client: httpx.Client, events: list[dict[str, Any]]) -> list[Any]:
    """Post one request; returns its rejections (none expected)."""
    response = client.post("/v1/events", json={"events": events})
    response.raise_for_status()
    return list(response.json()["rejected"])


def _wait_for_profile(client: httpx.Client, user_id: str, expected: dict[str, Any], deadline: float) -> None:
    while True:
        response = client.get(f"/v1/users/{user_id}/profile")
        response.raise_for_status()
        served = {name: response.json().get(name) for name in PROFILE_FIELDS}
        if served == expected:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{user_id}: profile {served}, expected {expected}, when time ran out")
        time.sleep(0.25)


def report(result: DemoResult) -> str:
    """Two lines: the posting rate, and the end-to-end rate."""
    return (
        f"posted {result.events} events for {result.users} users in {result.post_seconds:.1f} s "
        f"({result.events / result.post_seconds:.0f} events/s accepted by the API)\n"
        f"every profile reflected them {result.total_seconds:.1f} s after the first post: "
        f"{result.events / result.total_seconds:.0f} events/s end to end"
    )

"""Direct awards and "why not yet": the award function and the explain route, in-process."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from questline.services.ingest_batch import InboundRecord, process_batch
from tests.factories import LambdaContext, event_dict, sample_event
from tests.integration.bus import BusTap
from tests.support.auth import auth
from tests.support.functions import load_function

CATALOG = """
version: awards-1
currencies: [{id: coins}]
xp: [{id: metric-xp, events: {type: health.metric.recorded}, amount: 10}]
levels: {thresholds: [0, 100, 200]}
achievements:
  - id: first-metric
    title: First metric
    points: 5
    criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
  - id: mentor
    title: Mentor
    points: 10
    criteria: {metric: {events: {type: social.friend.invited}}, threshold: 3}
  - id: pillar
    title: Pillar of the community
    criteria: {all: [{achievement: mentor}, {level: {operator: gte, threshold: 2}}]}
  - id: hidden-gem
    title: Hidden gem
    type: SECRET
    criteria: {metric: {events: {type: health.goal.achieved}}, threshold: 2}
  - id: steps
    title: Steps
    metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}
    tiers: [{id: 1k, threshold: 1000, points: 1}, {id: 5k, threshold: 5000, points: 5}]
"""


@pytest.fixture
def catalog_text():
    return CATALOG


def award(client, runtime, user="u1", caller=("admin-ana", "admin"), **body):
    body.setdefault("idempotencyKey", "k1")
    body.setdefault("reason", "support ticket 42")
    return client.post(f"/v1/users/{user}/awards", json=body, headers=auth(runtime, *caller))


def test_a_grant_levels_the_user_up_and_is_kept_in_the_ledger_with_actor_and_reason(client, runtime):
    tap = BusTap(runtime.settings.event_bus_name)
    response = award(
        client, runtime, grants=[{"currency": "xp", "amount": 150}, {"currency": "coins", "amount": 7}]
    )
    assert response.status_code == 201
    assert (response.json()["level"], response.json()["balances"]) == (2, {"coins": 7})
    [entry] = runtime.users.ledger("u1")
    assert (entry.detail["actor"], entry.detail["reason"]) == ("admin-ana", "support ticket 42")
    assert entry.catalog_version == "awards-1"
    assert [e["detail-type"] for e in tap.drain()] == ["LevelUp"]


def test_the_same_idempotency_key_grants_once(client, runtime):
    award(client, runtime, grants=[{"currency": "xp", "amount": 50}])
    again = award(client, runtime, grants=[{"currency": "xp", "amount": 50}])
    assert again.status_code == 200
    assert again.json()["applied"] is False
    assert runtime.users.load("u1").xp == 50


def test_granting_an_achievement_completes_a_meta_achievement_like_an_event_would(client, runtime):
    response = award(client, runtime, achievementId="mentor", grants=[{"currency": "xp", "amount": 100}])
    assert sorted(response.json()["unlocked"]) == ["mentor", "pillar"]
    assert runtime.users.load("u1").points == 10


def test_a_tier_can_be_granted_and_only_once(client, runtime):
    first = award(client, runtime, achievementId="steps", tier="5k")
    second = award(client, runtime, idempotencyKey="k2", achievementId="steps", tier="5k")
    assert first.json()["unlocked"] == ["steps#5k"]
    assert second.json()["unlocked"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grants": [{"currency": "gems", "amount": 1}]}, "grants[0].currency"),
        ({"grants": [{"currency": "xp", "amount": 0}]}, "grants[0].amount"),
        ({"achievementId": "ghost"}, "achievementId"),
        ({"achievementId": "steps"}, "tier"),
        ({"grants": []}, "body"),
        ({"grants": [{"currency": "xp", "amount": 1}], "idempotencyKey": "has space"}, "idempotencyKey"),
        ({"grants": [{"currency": "xp", "amount": 1}], "points": 5}, "points"),
    ],
)
def test_an_invalid_award_gets_422_naming_the_field(client, runtime, body, field):
    response = award(client, runtime, **body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert runtime.users.load("u1").version == 0


@pytest.mark.parametrize("roles", [("user",), ()])
def test_only_services_and_admins_may_award(client, runtime, roles):
    response = award(
        client, runtime, user="u1", caller=("u1", *roles), grants=[{"currency": "xp", "amount": 5}]
    )
    assert response.status_code == 403
    assert runtime.users.load("u1").xp == 0


def test_an_award_requested_on_the_bus_is_granted_once(runtime, monkeypatch):
    award_function = load_function("award")
    monkeypatch.setattr(award_function, "get_runtime", lambda: runtime)
    first = award_function.handler(sample_event("eventbridge-award-requested.json"), LambdaContext())
    second = award_function.handler(sample_event("eventbridge-award-requested.json"), LambdaContext())
    assert (first["applied"], second["applied"]) == (True, False)
    assert runtime.users.load("user-123").xp == 250
    assert runtime.users.ledger("user-123")[0].detail["actor"] == "leaderboard:weekly-steps"


def test_a_malformed_bus_request_fails_loudly_naming_the_field(runtime, monkeypatch):
    from pydantic import ValidationError

    award_function = load_function("award")
    monkeypatch.setattr(award_function, "get_runtime", lambda: runtime)
    event = sample_event("eventbridge-award-requested.json")
    del event["detail"]["idempotencyKey"]
    with pytest.raises(ValidationError, match="idempotencyKey"):
        award_function.handler(event, LambdaContext())


def test_a_client_cannot_forge_an_award_as_an_event(runtime):
    forged = event_dict(
        "u1", "questline.award.granted", payload={"grants": [{"currency": "xp", "amount": 999}]}
    )
    import json

    outcome = process_batch([InboundRecord("m1", json.dumps(forged))], runtime)
    assert outcome.dead_lettered == {"m1": "reserved-type"}
    assert runtime.users.load("u1").xp == 0


# -- explain -----------------------------------------------------------------------------


def commit(runtime, *events):
    import json

    process_batch([InboundRecord(f"m{i}", json.dumps(e)) for i, e in enumerate(events)], runtime)


def test_explain_shows_each_condition_with_current_target_and_missing(client, runtime):
    commit(runtime, event_dict("u1", "social.friend.invited", id="i1"))
    body = client.get("/v1/users/me/achievements/pillar", headers=auth(runtime, "u1")).json()
    mentor, level = body["conditions"]["conditions"]
    assert (mentor["kind"], mentor["satisfied"]) == ("achievement", False)
    assert (level["kind"], level["current"], level["target"], level["missing"]) == ("level", 1, 2, 1)
    metric = client.get("/v1/users/me/achievements/mentor", headers=auth(runtime, "u1")).json()["conditions"]
    assert (metric["current"], metric["target"], metric["missing"]) == (1, 3, 2)


def test_explain_says_when_and_by_which_event_it_unlocked(client, runtime):
    commit(runtime, event_dict("u1", id="m-1"))
    body = client.get("/v1/users/me/achievements/first-metric", headers=auth(runtime, "u1")).json()
    assert body["achievement"]["unlockedByEvent"] == "m-1"
    assert [(u["eventId"], u["catalogVersion"]) for u in body["unlocks"]] == [("m-1", "awards-1")]


def test_explain_lists_tiers(client, runtime):
    commit(runtime, event_dict("u1", id="m-1", payload={"steps": 1200}))
    body = client.get("/v1/users/me/achievements/steps", headers=auth(runtime, "u1")).json()
    assert [(t["tier"], t["unlocked"], t["current"]) for t in body["conditions"]["conditions"]] == [
        ("1k", True, 1200),
        ("5k", False, 1200),
    ]


def test_a_secret_achievement_stays_masked_for_its_owner_but_not_for_support(client, runtime):
    owner = client.get("/v1/users/me/achievements/hidden-gem", headers=auth(runtime, "u1")).json()
    support = client.get(
        "/v1/users/u1/achievements/hidden-gem", headers=auth(runtime, "agent", "admin")
    ).json()
    assert (owner["achievement"]["title"], owner["conditions"]) == ("Secret achievement", None)
    assert support["achievement"]["title"] == "Hidden gem"
    assert support["conditions"]["target"] == 2


def test_the_listing_masks_secret_achievements_until_unlocked(client, runtime):
    listing = client.get("/v1/users/me/achievements", headers=auth(runtime, "u1")).json()["achievements"]
    gem = next(a for a in listing if a["id"] == "hidden-gem")
    assert (gem["hidden"], gem["title"], gem["current"]) == (True, "Secret achievement", None)
    commit(
        runtime,
        event_dict("u1", "health.goal.achieved", id="g1"),
        event_dict("u1", "health.goal.achieved", id="g2"),
    )
    listing = client.get("/v1/users/me/achievements", headers=auth(runtime, "u1")).json()["achievements"]
    gem = next(a for a in listing if a["id"] == "hidden-gem")
    assert (gem["hidden"], gem["title"], gem["unlocked"]) == (False, "Hidden gem", True)


def test_explaining_an_unknown_achievement_gets_404(client, runtime):
    assert client.get("/v1/users/me/achievements/ghost", headers=auth(runtime, "u1")).status_code == 404


def test_a_user_cannot_explain_another_users_progress(client, runtime):
    assert client.get("/v1/users/u2/achievements/mentor", headers=auth(runtime, "u1")).status_code == 403


# -- concurrency -------------------------------------------------------------------------

CONCURRENT = 100


def xp_award(client, runtime, key, amount):
    return award(client, runtime, idempotencyKey=key, grants=[{"currency": "xp", "amount": amount}])


def award_all_at_once(client, runtime, keys, amount):
    """One award request per key, each from its own thread, all released together. A 503 (the
    commit kept conflicting with the others) is retried with the same key, as a client would.
    Returns the final response of each request."""
    barrier = threading.Barrier(len(keys))

    def one(key):
        barrier.wait()
        for _ in range(20):
            response = xp_award(client, runtime, key, amount)
            if response.status_code != 503:
                return response
        return response

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(one, keys))


def test_concurrent_distinct_awards_to_one_user_are_all_applied(client, runtime, fast_moto, atomic_dynamodb):
    # Given 100 awards of 3 XP with distinct idempotency keys, When they arrive at once
    responses = award_all_at_once(client, runtime, [f"k{n}" for n in range(CONCURRENT)], amount=3)

    # Then every one is applied, and the user has all their XP: no commit overwrote another
    assert [r.status_code for r in responses] == [201] * CONCURRENT
    state = runtime.users.load("u1")
    assert (state.xp, state.version) == (3 * CONCURRENT, CONCURRENT)
    assert len(runtime.users.ledger("u1")) == CONCURRENT


def test_concurrent_identical_awards_are_applied_exactly_once(client, runtime, fast_moto, atomic_dynamodb):
    # Given 100 copies of one award (one idempotency key), When they arrive at once
    responses = award_all_at_once(client, runtime, ["same"] * CONCURRENT, amount=3)

    # Then exactly one is applied and the others answer that it already was
    assert sorted(r.status_code for r in responses) == [200] * (CONCURRENT - 1) + [201]
    assert [r.json()["applied"] for r in responses].count(True) == 1
    state = runtime.users.load("u1")
    assert (state.xp, state.version) == (3, 1)
    assert len(runtime.users.ledger("u1")) == 1


@pytest.mark.parametrize("earlier_awards", [0, 1])
def test_a_decision_from_a_stale_version_is_refused_then_decided_again(client, runtime, earlier_awards):
    # Given a user with some earlier awards (none: the first commit creates the profile)
    for n in range(earlier_awards):
        assert xp_award(client, runtime, f"earlier-{n}", 1).status_code == 201
    store, seen = runtime.users, []
    load, commit = store.load, store.commit

    def load_then_another_award_commits(user_id):
        # Award k2 loads the user; before k2 commits, award k1 loads the same version and commits.
        state = load(user_id)
        store.load = load
        seen.append("k1 commits meanwhile")
        assert xp_award(client, runtime, "k1", 100).status_code == 201
        return state

    def recording_commit(request, now):
        try:
            entry = commit(request, now)
        except Exception as exc:
            seen.append(type(exc).__name__)
            raise
        seen.append("committed")
        return entry

    store.load, store.commit = load_then_another_award_commits, recording_commit

    # When award k2 commits what it decided from the version k1 replaced
    response = xp_award(client, runtime, "k2", 50)

    # Then that commit is refused, k2 is decided again from k1's state, and no XP is lost
    assert response.status_code == 201
    assert seen == ["k1 commits meanwhile", "committed", "VersionConflict", "committed"]
    state = runtime.users.load("u1")
    assert (state.xp, state.version) == (earlier_awards + 150, earlier_awards + 2)

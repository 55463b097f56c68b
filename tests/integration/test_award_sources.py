"""Nobody forges an award: the award function grants bus requests only from Questline's own
source and the configured trusted sources, in-process against moto."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from questline.config import Settings
from questline.errors import UntrustedSourceError
from tests.factories import LambdaContext, sample_event
from tests.support.functions import load_function

CATALOG = """
version: award-sources-1
currencies: [{id: coins}]
xp: [{id: metric-xp, events: {type: health.metric.recorded}, amount: 10}]
levels: {thresholds: [0, 100, 200]}
"""

TRUSTED = "billing.prizes"


@pytest.fixture
def catalog_text():
    return CATALOG


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"trusted_award_sources": (TRUSTED,)})


@pytest.fixture
def award_function(runtime, monkeypatch):
    function = load_function("award")
    monkeypatch.setattr(function, "get_runtime", lambda: runtime)
    return function


def request_event(source: Any, user: str = "victim", **detail: Any) -> dict[str, Any]:
    """An AwardRequested event as EventBridge delivers it, from ``source`` (absent when None)."""
    event = sample_event("eventbridge-award-requested.json")
    event["detail"] = {
        "userId": user,
        "actor": "totally-an-admin",
        "idempotencyKey": "grant-1",
        "grants": [{"currency": "xp", "amount": 5000}, {"currency": "coins", "amount": 100_000}],
        "reason": "because I said so",
        **detail,
    }
    if source is None:
        del event["source"]
    else:
        event["source"] = source
    return event


def assert_nothing_granted(runtime, user: str = "victim") -> None:
    state = runtime.users.load(user)
    assert (state.xp, dict(state.balances), state.version) == (0, {}, 0)
    assert runtime.users.ledger(user) == []


def test_a_forged_request_from_an_upstream_system_is_refused_naming_the_source(award_function, runtime):
    # Given an upstream system allowed on the bus, When it requests 5,000 XP and 100,000 coins
    with pytest.raises(UntrustedSourceError) as refused:
        award_function.handler(request_event("crm.sync"), LambdaContext())

    # Then the function raises (so the request is dead-lettered with this error), and grants nothing
    assert str(refused.value) == "untrusted-source: source 'crm.sync' may not request awards"
    assert_nothing_granted(runtime)


@pytest.mark.parametrize(
    "source",
    [None, "", "Questline", "questline ", " questline", "questline.admin", "aws.events", ["questline"], 7],
)
def test_any_source_but_questline_or_a_trusted_one_is_refused(award_function, runtime, source):
    with pytest.raises(UntrustedSourceError, match="untrusted-source"):
        award_function.handler(request_event(source), LambdaContext())

    assert_nothing_granted(runtime)


def test_the_source_is_checked_before_the_request_so_the_reason_is_the_source(award_function, runtime):
    # Given a forged request that is also malformed, When it arrives
    event = request_event("crm.sync")
    del event["detail"]["idempotencyKey"]

    # Then it is refused for its source, not reported as a validation error
    with pytest.raises(UntrustedSourceError, match=r"'crm\.sync'"):
        award_function.handler(event, LambdaContext())


def test_a_request_from_questline_is_granted_with_its_actor(award_function, runtime):
    # When Questline's own source requests an award
    result = award_function.handler(request_event("questline", actor="leaderboard:weekly"), LambdaContext())

    # Then it is granted, and the ledger names the actor the request gave
    assert result["applied"] is True
    state = runtime.users.load("victim")
    assert (state.xp, dict(state.balances)) == (5000, {"coins": 100_000})
    [entry] = runtime.users.ledger("victim")
    assert entry.detail["actor"] == "leaderboard:weekly"


def test_a_trusted_source_is_granted_but_speaks_only_for_itself_in_the_ledger(award_function, runtime):
    # When a configured trusted source requests an award, claiming an admin as its actor
    result = award_function.handler(request_event(TRUSTED), LambdaContext())

    # Then it is granted, and the ledger records the actor as that source's, not as an admin
    assert result["applied"] is True
    assert runtime.users.load("victim").xp == 5000
    [entry] = runtime.users.ledger("victim")
    assert entry.detail["actor"] == f"{TRUSTED}:totally-an-admin"


def test_a_malformed_request_from_a_trusted_source_still_names_the_field(award_function, runtime):
    event = request_event("questline")
    del event["detail"]["idempotencyKey"]

    with pytest.raises(ValidationError, match="idempotencyKey"):
        award_function.handler(event, LambdaContext())
    assert_nothing_granted(runtime)

"""Daily caps per rule, in the user's local day."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import event
from tests.unit.rules_support import compiled, run, run_batches, run_one_by_one


@pytest.fixture(scope="module")
def capped():
    return compiled(
        """
        defaultTimeZone: America/New_York
        xp:
          - {id: metric-xp, events: {type: health.metric.recorded}, amount: 20, dailyCap: 50}
          - {id: claim-xp, events: {type: plan.claim.submitted}, amount: 20, dailyCap: 30}
        boosts:
          - {id: double-weekend, factor: 2, from: "2026-12-05T05:00:00Z", until: "2026-12-07T05:00:00Z"}
        levels: {thresholds: [0, 1000000]}
        """
    )


NY_NOON = datetime(2026, 11, 17, 17, tzinfo=UTC)  # noon in New York


def test_a_daily_cap_is_never_exceeded_across_decide_calls(capped):
    outcome = run_one_by_one(capped, [event(at=NY_NOON + timedelta(minutes=m)) for m in range(5)])

    assert outcome.state.xp == 50


def test_a_daily_cap_grants_what_is_left_of_it(capped):
    first = run(capped, [event(at=NY_NOON), event(at=NY_NOON + timedelta(minutes=1))])
    second = run(capped, [event(at=NY_NOON + timedelta(minutes=2))], first.state)

    assert (first.state.xp, second.state.xp) == (40, 50)


def test_a_daily_cap_is_per_rule(capped):
    events = [event(at=NY_NOON + timedelta(minutes=m)) for m in range(3)]
    claims = [event(type="plan.claim.submitted", at=NY_NOON + timedelta(minutes=m)) for m in range(3)]

    decision = run(capped, [*events, *claims])

    assert decision.state.xp == 50 + 30


def test_a_daily_cap_resets_at_the_users_local_midnight(capped):
    before_midnight = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)  # 23:00 on Nov 17 in New York
    after_midnight = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)  # 01:00 on Nov 18, same UTC day

    decision = run(
        capped,
        [
            *(event(at=before_midnight - timedelta(minutes=m)) for m in range(3)),
            *(event(at=after_midnight + timedelta(minutes=m)) for m in range(3)),
        ],
    )

    assert decision.state.xp == 100


def test_a_daily_cap_also_caps_boosted_amounts(capped):
    weekend_noon = datetime(2026, 12, 5, 17, tzinfo=UTC)

    decision = run(capped, [event(at=weekend_noon), event(at=weekend_noon + timedelta(minutes=1))])

    assert decision.state.xp == 50


def test_a_daily_cap_holds_for_an_event_arriving_days_late(capped):
    days = [event(at=NY_NOON + timedelta(days=d)) for d in range(5)]
    first_day_again = [event(at=NY_NOON + timedelta(minutes=m)) for m in range(1, 4)]

    outcome = run_batches(capped, [days, first_day_again])

    assert outcome.state.xp == 5 * 20 + 30  # the first day reaches its cap of 50, no more

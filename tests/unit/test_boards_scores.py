"""Board scores kept by the decide step: periods in the board's zone, scopes, metrics, late
events and the grace, and the score items a commit writes (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from questline.domain.catalog import compile_catalog
from questline.domain.decide import decide
from questline.domain.leaderboards.scores import score_items
from questline.domain.leaderboards.specs import compile_boards
from questline.domain.state import UserState
from questline.models.catalog_bundle import parse_catalog
from tests.factories import event

CATALOG = """
version: scores-1
currencies: [{id: coins}]
xp:
  - {id: xp, events: {type: "*"}, fromField: {field: n, factor: 1}}
  - {id: coins, events: {type: shop.item.sold}, currency: coins, amount: 3}
levels: {thresholds: [0, 1000000]}
boards:
  - {id: all-xp, title: All XP}
  - {id: weekly-xp, title: Weekly XP, period: week, timeZone: America/New_York}
  - {id: health-xp, title: Health XP, period: day, scope: {journey: health}, grace: {duration: 30, unit: minutes}}
  - {id: coins-earned, title: Coins, score: {currency: coins}, scope: {category: shop}}
  - id: best-run
    title: Longest run
    period: month
    score: {metric: {events: {type: run.finished}, aggregate: max, field: km}}
"""
catalog = compile_catalog(parse_catalog(CATALOG))
# Monday 2026-11-23 03:00 UTC is still Sunday evening in New York: last week there.
MONDAY_EARLY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def play(*events, state: UserState | None = None, now: datetime | None = None) -> UserState:
    """Decide the events one by one, each a minute after it happened unless ``now`` is given."""
    state = state or UserState("u1")
    for one in events:
        state = decide(state, [one], catalog, now or one.timestamp + timedelta(minutes=1)).state
    return state


def test_a_week_is_cut_in_the_board_time_zone_by_event_time():
    state = play(
        event(type="a.b", at=MONDAY_EARLY, payload={"n": 5}),
        event(type="a.b", at=MONDAY_EARLY + timedelta(hours=3), payload={"n": 7}),
    )

    assert {k: v["s"] for k, v in state.boards["weekly-xp"].items()} == {"2026-11-16": 5, "2026-11-23": 7}


def test_an_all_time_global_currency_board_ranks_the_balance_itself():
    earlier = UserState("u1", xp=500)  # earned before the board existed

    state = play(event(type="a.b", at=MONDAY_EARLY, payload={"n": 5}), state=earlier)

    assert state.boards["all-xp"]["all"]["s"] == 505


def test_scoped_boards_count_only_their_journey_or_category():
    state = play(
        event(type="a.b", at=MONDAY_EARLY, payload={"n": 5}),
        event(type="a.b", at=MONDAY_EARLY, journey="health", payload={"n": 2}),
        event(type="shop.item.sold", at=MONDAY_EARLY, payload={"category": "shop"}),
        event(type="shop.item.sold", at=MONDAY_EARLY, payload={"category": "other"}),
    )

    assert state.boards["health-xp"]["2026-11-23"]["s"] == 2
    assert state.boards["coins-earned"]["all"]["s"] == 3


def test_a_metric_board_keeps_the_best_value_and_when_it_was_reached():
    runs = [
        (MONDAY_EARLY, 5.9),
        (MONDAY_EARLY + timedelta(hours=1), 12.4),
        (MONDAY_EARLY + timedelta(hours=2), 8),
    ]

    state = play(*[event(type="run.finished", at=at, payload={"km": km}) for at, km in runs])

    entry = state.boards["best-run"]["2026-11"]
    assert (entry["s"], entry["t"]) == (12, int(runs[1][0].timestamp()))


def test_a_late_event_counts_within_the_grace_and_not_after_the_close():
    late = event(
        type="a.b", at=datetime(2026, 11, 22, 23, 50, tzinfo=UTC), journey="health", payload={"n": 4}
    )
    in_grace = datetime(2026, 11, 23, 0, 20, tzinfo=UTC)

    assert play(late, now=in_grace).boards["health-xp"]["2026-11-22"]["s"] == 4
    assert "health-xp" not in play(late, now=in_grace + timedelta(minutes=15)).boards


def test_a_user_keeps_the_two_newest_periods_of_a_board():
    days = [MONDAY_EARLY + timedelta(days=d) for d in range(4)]

    state = play(*[event(type="a.b", at=d, journey="health", payload={"n": 1}) for d in days])

    assert sorted(state.boards["health-xp"]) == ["2026-11-25", "2026-11-26"]


def test_an_event_older_than_the_kept_periods_changes_no_board_period():
    state = play(
        *[
            event(type="a.b", at=MONDAY_EARLY + timedelta(days=d), journey="health", payload={"n": 1})
            for d in (2, 3)
        ]
    )

    again = play(
        event(type="a.b", at=MONDAY_EARLY, journey="health", payload={"n": 1}), state=state, now=MONDAY_EARLY
    )

    assert again.boards["health-xp"] == state.boards["health-xp"]


def test_a_decision_carries_the_changed_board_periods_with_the_next_profile_version():
    before = play(event(type="a.b", at=MONDAY_EARLY, payload={"n": 1}))
    before.version = 7

    decision = decide(
        before, [event(type="run.finished", at=MONDAY_EARLY, payload={"km": 3})], catalog, MONDAY_EARLY
    )

    items = decision.score_items
    assert [(i.board_id, i.period, i.score, i.version) for i in items] == [("best-run", "2026-11", 3, 8)]
    assert decision.version == 8


def test_changing_the_exclusion_writes_every_board_period_marked_excluded():
    before = play(event(type="a.b", at=MONDAY_EARLY, payload={"n": 1}))
    after = before.copy()
    after.board_excluded = True

    items = score_items(before, after, catalog)

    assert {(i.board_id, i.period) for i in items} == {("all-xp", "all"), ("weekly-xp", "2026-11-16")}
    assert all(i.excluded for i in items)


def test_a_catalog_without_boards_keeps_no_board_state():
    plain = compile_catalog(
        parse_catalog("version: p\nxp: [{id: x, events: {type: a.b}, amount: 1}]\nlevels: {thresholds: [0]}")
    )

    state = decide(UserState("u1"), [event(type="a.b", at=MONDAY_EARLY)], plain, MONDAY_EARLY).state

    assert (state.xp, state.boards, compile_boards(plain).specs) == (1, {}, ())

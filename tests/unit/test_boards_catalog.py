"""Board definitions in the catalog bundle: defaults, and errors that name the path at fault."""

from __future__ import annotations

import pytest

from questline.errors import CatalogError
from questline.models.catalog_bundle import parse_catalog

BASE = """
version: boards-1
currencies: [{id: coins}, {id: health-points, journey: health}]
levels: {thresholds: [0, 100]}
achievements:
  - {id: champion, title: Champion, criteria: {metric: {events: {type: a.b}}, threshold: 1}}
boards:
"""


def catalog_with(*boards: str):
    return parse_catalog(BASE + "".join(f"  - {b}\n" for b in boards))


def errors_of(*boards: str) -> dict[str, str]:
    with pytest.raises(CatalogError) as caught:
        catalog_with(*boards)
    return dict(caught.value.errors)


def test_a_board_defaults_to_all_time_xp_highest_first_with_first_to_reach_tie_break():
    [board] = catalog_with("{id: xp, title: XP}").boards

    assert (board.score.currency, board.period, board.order, board.tie_break, board.ranking) == (
        "xp",
        "all-time",
        "desc",
        "first",
        "competition",
    )
    assert board.ranks_balance


def test_every_option_of_a_board_is_read_from_camel_case_keys():
    [board] = catalog_with(
        "{id: weekly-steps, title: Steps, period: week, timeZone: Europe/Paris, order: asc,"
        " tieBreak: none, ranking: dense, scope: {journey: health, category: running},"
        " score: {metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}},"
        " grace: {duration: 2, unit: hours}, retention: {duration: 7, unit: days}, snapshotSize: 50,"
        " prizes: [{fromRank: 1, toRank: 3, grants: [{currency: coins, amount: 10}], achievement: champion}]}"
    ).boards

    assert board.time_zone == "Europe/Paris"
    assert board.scope.category == "running"
    assert board.score.metric is not None
    assert board.score.metric.aggregate == "sum"
    assert (board.grace.seconds, board.retention.seconds, board.snapshot_size) == (7200, 604800, 50)
    assert board.prizes[0].achievement == "champion"
    assert board.dense_index
    assert not board.ranks_balance


@pytest.mark.parametrize(
    ("board", "path", "message"),
    [
        ("{id: b, title: B, score: {currency: gems}}", "boards[0].score.currency", "unknown currency 'gems'"),
        (
            "{id: b, title: B, period: day, prizes: [{fromRank: 1, toRank: 1, grants: [{currency: gems, amount: 1}]}]}",
            "boards[0].prizes[0].grants",
            "unknown currency 'gems'",
        ),
        (
            "{id: b, title: B, period: day, prizes: [{fromRank: 1, toRank: 1, achievement: nope}]}",
            "boards[0].prizes[0].achievement",
            "unknown achievement 'nope'",
        ),
    ],
)
def test_references_to_unknown_currencies_and_achievements_name_their_path(board, path, message):
    assert errors_of(board)[path] == message


@pytest.mark.parametrize(
    ("board", "message"),
    [
        (
            "{id: b, title: B, prizes: [{fromRank: 1, toRank: 1, grants: [{currency: xp, amount: 1}]}]}",
            "never closes",
        ),
        (
            "{id: b, title: B, period: day, prizes: [{fromRank: 1, toRank: 3, grants: [{currency: xp, amount: 1}]},"
            " {fromRank: 3, toRank: 5, grants: [{currency: xp, amount: 1}]}]}",
            "overlap",
        ),
        (
            "{id: b, title: B, period: day, snapshotSize: 2,"
            " prizes: [{fromRank: 1, toRank: 3, grants: [{currency: xp, amount: 1}]}]}",
            "within snapshotSize",
        ),
        ("{id: b, title: B, score: {metric: {window: {calendar: day}}}}", "takes no window"),
        ("{id: b, title: B, score: {currency: xp, metric: {}}}", "exactly one of currency or metric"),
        ("{id: b, title: B, timeZone: Mars/Olympus}", "unknown time zone"),
        ("{id: b, title: B, period: fortnight}", "Input should be"),
        ("{id: 'b#1', title: B}", "String should match pattern"),
    ],
)
def test_invalid_boards_are_refused_with_the_board_path(board, message):
    found = errors_of(board)

    assert any(path.startswith("boards[0]") and message in text for path, text in found.items()), found


def test_two_boards_may_not_share_an_id():
    assert errors_of("{id: b, title: B}", "{id: b, title: C}") == {"boards[1].id": "duplicate id 'b'"}


def test_a_catalog_diff_lists_boards_added_removed_and_changed():
    from questline.services.catalog_admin import diff_catalogs

    base = catalog_with("{id: a, title: A}", "{id: b, title: B}")
    new = catalog_with("{id: a, title: A2}", "{id: c, title: C}")

    changes = diff_catalogs(base, new).boards

    assert (changes.added, changes.removed, changes.changed) == (["c"], ["b"], ["a"])

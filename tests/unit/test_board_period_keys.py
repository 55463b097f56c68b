"""Period keys from a request: every date of the calendar names a period or is refused with
PeriodKeyError, in every zone and kind of board; never an OverflowError from the far ends."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questline.domain.leaderboards.specs import BoardSpec, PeriodKeyError
from questline.models.leaderboards.catalog import Board

# The widest offsets there are (+14:00, -11:00), a zone with DST, and UTC.
ZONES = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles"]
KINDS = ["day", "week", "month"]


def spec(kind: str, tz: str, week_start: int = 0) -> BoardSpec:
    board = Board.model_validate(
        {"id": "b", "title": "B", "period": kind, "retention": {"duration": 400, "unit": "days"}}
    )
    return BoardSpec(board, tz, week_start)


def key_of(day: date, kind: str) -> str:
    return f"{day.year:04d}-{day.month:02d}" if kind == "month" else day.isoformat()


@given(day=st.dates(), kind=st.sampled_from(KINDS), tz=st.sampled_from(ZONES), week_start=st.integers(0, 6))
@settings(max_examples=400, deadline=None)
def test_any_date_names_a_whole_period_or_is_refused_as_a_period_key(day, kind, tz, week_start):
    board = spec(kind, tz, week_start)
    try:
        period = board.period_of_key(key_of(day, kind))
    except PeriodKeyError:
        return
    assert period.start is not None
    assert period.end is not None
    assert period.start < period.end
    assert board.expires_at(period) is not None
    assert board.period_of_key(period.key) == period


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("week", "0001-01-01"),
        ("week", "9999-12-31"),
        ("day", "0001-01-01"),
        ("day", "9999-12-31"),
        ("month", "0001-01"),
        ("month", "9999-12"),
    ],
)
def test_the_ends_of_the_calendar_are_refused_as_period_keys(tz, kind, key):
    with pytest.raises(PeriodKeyError, match="beyond the range"):
        spec(kind, tz).period_of_key(key)


@pytest.mark.parametrize("tz", ZONES)
def test_periods_a_little_inside_the_calendar_are_accepted(tz):
    assert spec("week", tz).period_of_key("0001-01-10").key == "0001-01-08"
    assert spec("month", tz).period_of_key("0001-02").key == "0001-02"
    assert spec("day", tz).period_of_key("9998-06-01").key == "9998-06-01"


def test_malformed_keys_are_period_key_errors_too():
    for key in ("2026-13", "abc", "2026-02-30", "all"):
        with pytest.raises(PeriodKeyError):
            spec("month", "UTC").period_of_key(key)

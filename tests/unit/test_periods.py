"""The period calculator: which local day, week or month an instant belongs to in an IANA zone.

Example tests pin down real calendar events (DST changes, leap days, travel across the date line);
property tests check the laws every streak, quest and leaderboard relies on: periods contain their
instants, tile time without gaps or overlaps, and are counted by plain subtraction.

The zone facts used below were checked against the system tz database: the DST changes named in
each test really happen on those dates, and over 1990-2060 the sampled zones change their UTC
offset only by DST-sized steps, apart from Pacific/Kiritimati, which skipped 1994-12-31 entirely
when it moved from UTC-10 to UTC+14.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from questline.domain.periods import (
    PeriodKind,
    date_period_index,
    local_date,
    local_midnight,
    period_bounds,
    period_bounds_of,
    period_end,
    period_index,
    period_label,
    period_start_date,
)
from questline.models.zones import is_valid_zone, zone

SAMPLE_ZONES = (
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kathmandu",  # +05:45
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
    "America/Santiago",  # DST starts at midnight
)
KINDS = ("day", "week", "month")
HOUR = timedelta(hours=1)
TICK = timedelta(microseconds=1)
# Every day of the sampled zones over 1990-2060 is one of these lengths (Lord_Howe moves by 30 min).
POSSIBLE_DAY_HOURS = {23.0, 23.5, 24.0, 24.5, 25.0}
# The one local date in the sampled zones and years that never happened.
KIRITIMATI_SKIPPED_DATE = date(1994, 12, 31)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)

zones = st.sampled_from(SAMPLE_ZONES)
kinds = st.sampled_from(KINDS)
week_starts = st.integers(min_value=0, max_value=6)
uniform_instants = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2060, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
)


@st.composite
def zoned_instants(draw: st.DrawFn) -> tuple[str, datetime]:
    """A sampled zone and an instant, either anywhere in 1990-2060 or within three hours of one of
    that zone's local midnights (where period boundaries, and DST surprises, live)."""
    tz = draw(zones)
    if draw(st.booleans()):
        return tz, draw(uniform_instants)
    day = draw(st.dates(min_value=date(1990, 1, 2), max_value=date(2060, 12, 30)))
    offset = draw(st.integers(min_value=-3 * 3600, max_value=3 * 3600))
    wall_midnight = datetime.combine(day, time(), tzinfo=zone(tz))
    return tz, wall_midnight.astimezone(UTC) + timedelta(seconds=offset)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def wall(tz: str, *parts: int) -> datetime:
    """A local wall-clock time in ``tz`` (must exist unambiguously), as a UTC instant."""
    return datetime(*parts, tzinfo=zone(tz)).astimezone(UTC)


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    return period_bounds_of(date_period_index(day, "day"), tz, "day")


def day_hours(day: date, tz: str) -> float:
    start, end = day_bounds(day, tz)
    return (end - start) / HOUR


def local_dates_between(start: datetime, end: datetime, tz: str) -> set[date]:
    """Every local date seen in [start, end), sampled every 15 minutes (no real day is shorter)."""
    seen = set()
    probe = start
    while probe < end:
        seen.add(local_date(probe, tz))
        probe += timedelta(minutes=15)
    return seen


def periods_between(earlier: datetime, later: datetime, tz: str, kind: PeriodKind) -> int:
    """How many period boundaries lie between two instants: the difference of their indexes."""
    return period_index(later, tz, kind) - period_index(earlier, tz, kind)


# --- DST: local days are 23, 24 or 25 hours long -------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        pytest.param("America/New_York", date(2026, 11, 1), 25, id="new-york-fall-back"),
        pytest.param("America/New_York", date(2026, 3, 8), 23, id="new-york-spring-forward"),
        pytest.param("Europe/London", date(2026, 10, 25), 25, id="london-fall-back"),
        pytest.param("Europe/London", date(2026, 3, 29), 23, id="london-spring-forward"),
        pytest.param("Australia/Sydney", date(2026, 4, 5), 25, id="sydney-fall-back-in-april"),
        pytest.param("Australia/Sydney", date(2026, 10, 4), 23, id="sydney-spring-forward-in-october"),
        pytest.param("Australia/Lord_Howe", date(2026, 4, 5), 24.5, id="lord-howe-half-hour-back"),
        pytest.param("Australia/Lord_Howe", date(2026, 10, 4), 23.5, id="lord-howe-half-hour-forward"),
        pytest.param("America/New_York", date(2026, 11, 2), 24, id="new-york-ordinary-day"),
    ],
)
def test_a_dst_change_day_is_as_long_as_the_clocks_say(tz, day, hours):
    # Given a local date on which the clocks change (or, for contrast, do not)
    # When its bounds are computed
    length = day_hours(day, tz)
    # Then the day lasts exactly as many real hours as the change implies
    assert length == hours


def test_a_dst_day_still_starts_at_local_midnight():
    # Given the New York fall-back day
    start, end = day_bounds(date(2026, 11, 1), "America/New_York")
    # When its bounds are read on the local clock
    # Then it runs from midnight EDT to midnight EST
    assert start.astimezone(zone("America/New_York")).isoformat() == "2026-11-01T00:00:00-04:00"
    assert end.astimezone(zone("America/New_York")).isoformat() == "2026-11-02T00:00:00-05:00"


@pytest.mark.parametrize(
    ("tz", "day", "first_instant", "first_wall_clock"),
    [
        pytest.param(
            "America/Santiago",
            date(2026, 9, 6),
            utc(2026, 9, 6, 4),
            "2026-09-06T01:00:00-03:00",
            id="santiago",
        ),
        pytest.param(
            "America/Havana",
            date(2026, 3, 8),
            utc(2026, 3, 8, 5),
            "2026-03-08T01:00:00-04:00",
            id="havana",
        ),
        pytest.param(
            "Asia/Beirut",
            date(2026, 3, 29),
            utc(2026, 3, 28, 22),
            "2026-03-29T01:00:00+03:00",
            id="beirut",
        ),
    ],
)
def test_a_day_whose_midnight_falls_in_a_dst_gap_starts_at_the_first_existing_instant(
    tz, day, first_instant, first_wall_clock
):
    # Given a local date whose 00:00 never happens (clocks jump from 00:00 to 01:00)
    # When the start of that day is computed
    start = local_midnight(day, tz)
    # Then it is the instant of the jump, shown locally as 01:00 of that date
    assert start == first_instant
    assert start.astimezone(zone(tz)).isoformat() == first_wall_clock
    # And the instant just before it still belongs to the previous date
    assert local_date(start - TICK, tz) == day - timedelta(days=1)


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        ("America/Santiago", date(2026, 9, 6)),
        ("America/Havana", date(2026, 3, 8)),
        ("Asia/Beirut", date(2026, 3, 29)),
    ],
)
def test_days_around_a_midnight_gap_still_tile_time(tz, day):
    # Given the day before, the day of and the day after a midnight DST gap
    before = day_bounds(day - timedelta(days=1), tz)
    during = day_bounds(day, tz)
    after = day_bounds(day + timedelta(days=1), tz)
    # When their bounds are laid end to end
    # Then each ends exactly where the next begins, and the gap day is 23 hours long
    assert before[1] == during[0]
    assert during[1] == after[0]
    assert (during[1] - during[0]) == 23 * HOUR


def test_a_repeated_midnight_starts_the_day_at_its_first_occurrence():
    # Given Havana on 2026-11-01, where clocks go back from 01:00 CDT to 00:00 CST,
    # so local midnight happens twice (04:00Z and 05:00Z)
    tz = "America/Havana"
    # When the start of that day is computed
    start, end = day_bounds(date(2026, 11, 1), tz)
    # Then the day starts at the first midnight and lasts 25 hours
    assert start == utc(2026, 11, 1, 4)
    assert end - start == 25 * HOUR


def test_a_day_whose_gap_began_before_midnight_starts_at_the_first_existing_instant():
    # Given Toronto on 1919-03-31: clocks jumped from 23:30 EST (Mar 30) to 00:30 EDT (Mar 31)
    # at 04:30Z, so 00:30 EDT is the first instant of March 31
    tz = "America/Toronto"
    first_instant = utc(1919, 3, 31, 4, 30)
    assert local_date(first_instant, tz) == date(1919, 3, 31)
    assert local_date(first_instant - TICK, tz) == date(1919, 3, 30)
    # When the start of March 31 is computed
    start = local_midnight(date(1919, 3, 31), tz)
    # Then it is that first instant
    assert start == first_instant


def test_the_bounds_contain_an_instant_in_a_repeated_hour_that_crosses_midnight():
    # Given St. John's on 2009-11-01 at 02:31Z, when clocks went back from 00:01 NDT (Nov 1)
    # to 23:01 NST (Oct 31); 03:00Z is 23:30 NST on October 31
    tz = "America/St_Johns"
    instant = utc(2009, 11, 1, 3)
    assert local_date(instant, tz) == date(2009, 10, 31)
    # When the bounds of the period holding that instant are computed
    start, end = period_bounds(instant, tz, "day")
    # Then they contain it
    assert start <= instant < end


def test_a_skipped_local_date_is_an_empty_period_and_the_count_jumps_over_it():
    # Given Pacific/Kiritimati, which went from UTC-10 to UTC+14 and never had a 1994-12-31
    tz = "Pacific/Kiritimati"
    last_day_before = wall(tz, 1994, 12, 30, 12)
    # When the bounds of the days around the skip are computed
    end = period_end(last_day_before, tz, "day")
    skipped = day_bounds(KIRITIMATI_SKIPPED_DATE, tz)
    # Then the skipped date holds no instant, the next period starts where 1994-12-30 ends,
    # and that next period is 1995-01-01, two day numbers on
    assert skipped[0] == skipped[1] == end
    assert period_bounds(end, tz, "day")[0] == end
    assert local_date(end, tz) == date(1995, 1, 1)
    assert period_index(end, tz, "day") == period_index(last_day_before, tz, "day") + 2


# --- Properties over random instants, zones, kinds and week starts --------------------------------


@PROPERTY_SETTINGS
@given(zoned_instants(), kinds, week_starts)
def test_a_period_contains_the_instant_it_was_computed_for(zoned, kind, week_start):
    # Given an instant in a zone
    tz, instant = zoned
    # When the bounds of its period are computed
    start, end = period_bounds(instant, tz, kind, week_start)
    # Then the instant lies inside [start, end)
    assert start <= instant < end


@PROPERTY_SETTINGS
@given(zoned_instants(), kinds, week_starts)
def test_the_next_period_starts_exactly_where_a_period_ends(zoned, kind, week_start):
    # Given the period holding an instant
    tz, instant = zoned
    index = period_index(instant, tz, kind, week_start)
    end = period_end(instant, tz, kind, week_start)
    # When the following period and the period holding ``end`` are computed
    following_start = period_bounds_of(index + 1, tz, kind, week_start)[0]
    holding_end_start = period_bounds(end, tz, kind, week_start)[0]
    # Then both start exactly at ``end``: no gap and no overlap
    assert following_start == end
    assert holding_end_start == end


@PROPERTY_SETTINGS
@given(zoned_instants(), kinds, week_starts)
def test_the_period_after_a_period_is_numbered_one_higher(zoned, kind, week_start):
    # Given the period holding an instant, away from the one local date that never happened
    tz, instant = zoned
    index = period_index(instant, tz, kind, week_start)
    end = period_end(instant, tz, kind, week_start)
    assume(not (tz == "Pacific/Kiritimati" and local_date(end, tz) == date(1995, 1, 1)))
    # When the period holding its end is computed
    # Then it is the next index
    assert period_index(end, tz, kind, week_start) == index + 1


@PROPERTY_SETTINGS
@given(zoned_instants(), st.integers(min_value=0, max_value=3 * 24 * 3600), kinds, week_starts)
def test_a_later_instant_never_falls_in_an_earlier_period(zoned, seconds_later, kind, week_start):
    # Given an instant and one up to three days later, in the same zone
    tz, earlier = zoned
    later = earlier + timedelta(seconds=seconds_later)
    # When both are assigned to periods
    # Then the later one's period index is not lower
    assert period_index(earlier, tz, kind, week_start) <= period_index(later, tz, kind, week_start)


@PROPERTY_SETTINGS
@given(zones, uniform_instants, uniform_instants, kinds, week_starts)
def test_a_later_instant_far_away_never_falls_in_an_earlier_period(tz, a, b, kind, week_start):
    # Given two instants anywhere in 1990-2060, in the same zone
    earlier, later = sorted((a, b))
    # When both are assigned to periods
    # Then the later one's period index is not lower
    assert period_index(earlier, tz, kind, week_start) <= period_index(later, tz, kind, week_start)


@PROPERTY_SETTINGS
@given(zones, uniform_instants, uniform_instants, kinds, week_starts)
def test_period_labels_sort_in_period_order(tz, a, b, kind, week_start):
    # Given the periods of two instants
    first = period_index(a, tz, kind, week_start)
    second = period_index(b, tz, kind, week_start)
    # When their labels are compared as strings
    first_label = period_label(first, kind, week_start)
    second_label = period_label(second, kind, week_start)
    # Then they order (and tie) exactly as the indexes do
    assert (first_label < second_label) == (first < second)
    assert (first_label == second_label) == (first == second)


@PROPERTY_SETTINGS
@given(zoned_instants())
def test_a_local_day_lasts_between_23_and_25_hours(zoned):
    # Given an instant in a zone whose offset only ever moves by DST steps in these years
    tz, instant = zoned
    # When the length of its local day is measured
    start, end = period_bounds(instant, tz, "day")
    # Then it is 24 hours, or 24 hours plus or minus a DST step (30 minutes at Lord Howe)
    assert (end - start) / HOUR in POSSIBLE_DAY_HOURS


@PROPERTY_SETTINGS
@given(zoned_instants(), kinds, week_starts)
def test_a_period_starts_on_its_first_local_date(zoned, kind, week_start):
    # Given the period holding an instant
    tz, instant = zoned
    index = period_index(instant, tz, kind, week_start)
    first_date = period_start_date(index, kind, week_start)
    assume(not (tz == "Pacific/Kiritimati" and first_date == KIRITIMATI_SKIPPED_DATE))
    # When its start instant is read on the local calendar
    start = period_bounds(instant, tz, kind, week_start)[0]
    # Then it falls on the period's first date, and the moment before is on an earlier date
    assert local_date(start, tz) == first_date
    assert local_date(start - TICK, tz) < first_date


@PROPERTY_SETTINGS
@given(zoned_instants(), kinds, week_starts)
def test_a_period_index_depends_only_on_the_instant_and_the_zone(zoned, kind, week_start):
    # Given an instant, as for an event that arrives late
    tz, instant = zoned
    # When its period is computed now, again later, and from the same instant written in
    # another zone's offset
    first = period_index(instant, tz, kind, week_start)
    zone.cache_clear()
    again = period_index(instant, tz, kind, week_start)
    rewritten = period_index(instant.astimezone(zone("Asia/Kathmandu")), tz, kind, week_start)
    # Then every answer is the same
    assert first == again == rewritten


@pytest.mark.parametrize("kind", KINDS)
def test_a_late_event_lands_in_the_period_it_happened_in(kind):
    # Given an event that happened on 2026-03-31 at 23:30 in New York but is processed days later
    tz = "America/New_York"
    happened = wall(tz, 2026, 3, 31, 23, 30)
    # When its period is computed (twice, as a retry would)
    first = period_index(happened, tz, kind)
    retried = period_index(happened, tz, kind)
    # Then both answers name the period of March 31, not of the processing time
    assert first == retried == date_period_index(date(2026, 3, 31), kind)


# --- Weeks --------------------------------------------------------------------------------------

SUNDAY = date(2026, 11, 22)


def test_a_sunday_starts_its_week_when_weeks_start_on_sunday():
    # Given noon on a Sunday in London and weeks starting on Sunday (6)
    tz = "Europe/London"
    noon = wall(tz, 2026, 11, 22, 12)
    assert SUNDAY.weekday() == 6
    # When the week's first date is computed
    first = period_start_date(period_index(noon, tz, "week", 6), "week", 6)
    # Then it is that Sunday
    assert first == SUNDAY


def test_a_sunday_ends_its_week_when_weeks_start_on_monday():
    # Given noon on a Sunday in London and weeks starting on Monday (0)
    tz = "Europe/London"
    noon = wall(tz, 2026, 11, 22, 12)
    # When the week's bounds are computed
    start, end = period_bounds(noon, tz, "week", 0)
    # Then the week began the Monday before and the Sunday is its last date
    assert local_date(start, tz) == date(2026, 11, 16)
    assert local_date(end - TICK, tz) == SUNDAY
    assert local_date(end, tz) == date(2026, 11, 23)


def test_the_week_start_decides_which_week_a_sunday_shares_with_the_saturday_before():
    # Given a Saturday and the Sunday after it
    saturday = SUNDAY - timedelta(days=1)
    # When their weeks are numbered with Monday and with Sunday as the week start
    # Then they share a week when weeks start on Monday, and not when they start on Sunday
    assert date_period_index(saturday, "week", 0) == date_period_index(SUNDAY, "week", 0)
    assert date_period_index(saturday, "week", 6) + 1 == date_period_index(SUNDAY, "week", 6)


@PROPERTY_SETTINGS
@given(zoned_instants(), week_starts)
def test_every_week_holds_seven_consecutive_local_dates_from_its_week_start(zoned, week_start):
    # Given the week holding an instant, away from the one local date that never happened
    tz, instant = zoned
    start, end = period_bounds(instant, tz, "week", week_start)
    assume(not (tz == "Pacific/Kiritimati" and start <= utc(1994, 12, 31, 10) <= end))
    # When every local date inside it is listed
    dates = sorted(local_dates_between(start, end, tz))
    # Then there are seven, consecutive, and the first falls on the configured weekday
    assert len(dates) == 7
    assert dates[-1] - dates[0] == timedelta(days=6)
    assert dates[0].weekday() == week_start


# --- Leap days ----------------------------------------------------------------------------------


def test_a_leap_day_is_a_day_of_its_own():
    # Given noon on 2028-02-28, 2028-02-29 and 2028-03-01 in Tokyo
    tz = "Asia/Tokyo"
    indexes = [period_index(wall(tz, 2028, 2, day, 12), tz, "day") for day in (28, 29)]
    indexes.append(period_index(wall(tz, 2028, 3, 1, 12), tz, "day"))
    # When the leap day's period is labelled and measured
    leap = indexes[1]
    start, end = period_bounds_of(leap, tz, "day")
    # Then it is a distinct, full day between its neighbours
    assert indexes == [leap - 1, leap, leap + 1]
    assert period_label(leap, "day") == "2028-02-29"
    assert end - start == 24 * HOUR


def test_february_of_a_leap_year_holds_29_days():
    # Given February 2028 in New York
    tz = "America/New_York"
    month = period_index(wall(tz, 2028, 2, 15, 12), tz, "month")
    start, end = period_bounds_of(month, tz, "month")
    # When the days inside it are counted
    days = periods_between(start, end, tz, "day")
    # Then there are 29, and the month is labelled 2028-02
    assert days == 29
    assert len(local_dates_between(start, end, tz)) == 29
    assert period_label(month, "month") == "2028-02"


def test_from_february_28_to_march_1_is_two_days_in_a_leap_year():
    # Given noon on 2028-02-28 and on 2028-03-01 in London
    tz = "Europe/London"
    # When the days between them are counted
    days = periods_between(wall(tz, 2028, 2, 28, 12), wall(tz, 2028, 3, 1, 12), tz, "day")
    # Then the leap day makes it two
    assert days == 2


def test_a_leap_year_counts_one_day_more_than_the_year_before():
    # Given New Year's morning of 2027, 2028 and 2029 in Los Angeles
    tz = "America/Los_Angeles"
    jan_1 = {year: wall(tz, year, 1, 1, 9) for year in (2027, 2028, 2029)}
    # When the days of 2027 and of 2028 are counted
    days_2027 = periods_between(jan_1[2027], jan_1[2028], tz, "day")
    days_2028 = periods_between(jan_1[2028], jan_1[2029], tz, "day")
    # Then 2028 has one day more
    assert (days_2027, days_2028) == (365, 366)


# --- A user changing time zone ------------------------------------------------------------------


def test_the_same_instant_is_a_different_local_day_in_tokyo_and_los_angeles():
    # Given 2026-11-21T20:00Z
    instant = utc(2026, 11, 21, 20)
    # When its local date is read in Tokyo and in Los Angeles
    in_tokyo = local_date(instant, "Asia/Tokyo")
    in_los_angeles = local_date(instant, "America/Los_Angeles")
    # Then it is already Sunday in Tokyo but still Saturday in Los Angeles
    assert in_tokyo == date(2026, 11, 22)
    assert in_los_angeles == date(2026, 11, 21)
    assert (
        period_index(instant, "Asia/Tokyo", "day") == period_index(instant, "America/Los_Angeles", "day") + 1
    )


def test_flying_east_across_the_date_line_lands_on_the_same_local_date():
    # Given a flight leaving Tokyo at 17:00 JST on 2026-11-22 and landing in Los Angeles
    # at 10:00 PST the same calendar date, ten hours later
    departure = wall("Asia/Tokyo", 2026, 11, 22, 17)
    arrival = wall("America/Los_Angeles", 2026, 11, 22, 10)
    assert arrival - departure == 10 * HOUR
    # When each event is dated in the zone the user was in
    departed_on = local_date(departure, "Asia/Tokyo")
    arrived_on = local_date(arrival, "America/Los_Angeles")
    # Then the arrival is on the same local day, not a later one: a streak must read
    # "same or earlier period" as no change rather than as a new day or a broken streak
    assert arrived_on == departed_on == date(2026, 11, 22)
    assert periods_between(departure, arrival, "Asia/Tokyo", "day") == 1
    assert (
        period_index(arrival, "America/Los_Angeles", "day") - period_index(departure, "Asia/Tokyo", "day")
        == 0
    )


def test_flying_east_across_the_date_line_can_land_on_an_earlier_local_date():
    # Given a flight leaving Tokyo at 01:00 JST on 2026-11-22 and landing ten hours later
    departure = wall("Asia/Tokyo", 2026, 11, 22, 1)
    arrival = departure + 10 * HOUR
    # When each event is dated in the zone the user was in
    departed_on = local_date(departure, "Asia/Tokyo")
    arrived_on = local_date(arrival, "America/Los_Angeles")
    # Then the user lands on the previous local date
    assert (departed_on, arrived_on) == (date(2026, 11, 22), date(2026, 11, 21))
    assert period_index(arrival, "America/Los_Angeles", "day") < period_index(departure, "Asia/Tokyo", "day")


# --- Zone names ---------------------------------------------------------------------------------


def test_an_unknown_zone_is_rejected_with_a_value_error():
    # Given a zone name that is not in the tz database
    # When it is looked up
    # Then a ValueError names it
    with pytest.raises(ValueError, match="Mars/Olympus"):
        zone("Mars/Olympus")


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "america/new_york"])
def test_an_unknown_zone_is_not_valid(name):
    # Given a name that is not an IANA zone key
    # When its validity is checked
    # Then it is not valid
    assert is_valid_zone(name) is False


@pytest.mark.parametrize("name", SAMPLE_ZONES)
def test_a_known_zone_is_valid(name):
    # Given an IANA zone key
    # When its validity is checked
    # Then it is valid
    assert is_valid_zone(name) is True


def test_an_unknown_zone_fails_every_period_computation():
    # Given an instant and an unknown zone
    # When its period is asked for
    # Then the calculator refuses rather than guessing
    with pytest.raises(ValueError, match="unknown time zone"):
        period_index(utc(2026, 1, 1), "Mars/Olympus", "day")


@pytest.mark.parametrize(
    ("day", "kind", "label"),
    [
        (date(1, 2, 3), "month", "0001-02"),
        (date(999, 12, 31), "month", "0999-12"),
        (date(5, 1, 1), "day", "0005-01-01"),
    ],
)
def test_labels_of_early_years_keep_four_digits_so_they_still_sort(day, kind, label):
    assert period_label(date_period_index(day, kind), kind) == label

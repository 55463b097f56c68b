"""Calendar windows: days, weeks and months in the user's time zone."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import event
from tests.unit.rules_support import compiled, run

NEW_YORK = {"timeZone": "America/New_York"}
LATE_EVENING_NY = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)  # 23:30 on Nov 20 in New York
EARLY_MORNING_NY = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)  # 00:30 on Nov 21 in New York


def calendar_catalog(period, extra=""):
    return compiled(
        f"""
        levels: {{thresholds: [0, 100]}}
        {extra}
        achievements:
          - id: twice
            title: Twice in one {period}
            criteria:
              metric: {{events: {{type: health.metric.recorded}}, window: {{calendar: {period}}}}}
              threshold: 2
        """
    )


def test_a_calendar_day_is_the_users_local_day_from_the_event_time_zone():
    events = [
        event(at=LATE_EVENING_NY, metadata=NEW_YORK),
        event(at=EARLY_MORNING_NY, metadata=NEW_YORK),
    ]

    decision = run(calendar_catalog("day"), events)

    assert "twice" not in decision.state.unlocked


def test_a_calendar_day_defaults_to_utc():
    decision = run(calendar_catalog("day"), [event(at=LATE_EVENING_NY), event(at=EARLY_MORNING_NY)])

    assert "twice" in decision.state.unlocked


def test_a_calendar_day_uses_the_catalog_default_time_zone():
    catalog = calendar_catalog("day", extra="defaultTimeZone: America/New_York")

    apart = run(catalog, [event(at=LATE_EVENING_NY), event(at=EARLY_MORNING_NY)])
    same_local_day = run(
        catalog, [event(at=EARLY_MORNING_NY), event(at=EARLY_MORNING_NY + timedelta(hours=18))]
    )

    assert "twice" not in apart.state.unlocked
    assert "twice" in same_local_day.state.unlocked


def test_the_users_time_zone_is_remembered_from_an_earlier_event():
    first = run(calendar_catalog("day"), [event(at=LATE_EVENING_NY, metadata=NEW_YORK)])
    second = run(calendar_catalog("day"), [event(at=EARLY_MORNING_NY)], first.state)

    assert second.state.time_zone == "America/New_York"
    assert "twice" not in second.state.unlocked


SATURDAY = datetime(2026, 11, 21, 12, tzinfo=UTC)
SUNDAY = SATURDAY + timedelta(days=1)
MONDAY = SATURDAY + timedelta(days=2)


@pytest.mark.parametrize(
    ("week_start", "days", "expected"),
    [
        ("monday", [SATURDAY, SUNDAY], True),
        ("monday", [SUNDAY, MONDAY], False),
        ("sunday", [SATURDAY, SUNDAY], False),
        ("sunday", [SUNDAY, MONDAY], True),
    ],
)
def test_a_calendar_week_begins_on_the_catalog_week_start(week_start, days, expected):
    catalog = calendar_catalog("week", extra=f"weekStart: {week_start}")

    decision = run(catalog, [event(at=d) for d in days])

    assert ("twice" in decision.state.unlocked) is expected


def test_a_calendar_month_ends_at_the_local_month_end():
    last_evening_of_october_ny = datetime(2026, 11, 1, 2, tzinfo=UTC)  # 22:00 on Oct 31, EDT
    events = [event(at=datetime(2026, 10, 20, 12, tzinfo=UTC)), event(at=last_evening_of_october_ny)]

    in_new_york = run(calendar_catalog("month", extra="defaultTimeZone: America/New_York"), events)
    in_utc = run(calendar_catalog("month"), events)

    assert "twice" in in_new_york.state.unlocked
    assert "twice" not in in_utc.state.unlocked

"""Metric aggregates: count, sum, min, max, last and distinct."""

import pytest

from tests.factories import event
from tests.unit.rules_support import at, compiled, run, run_batches


@pytest.fixture(scope="module")
def aggregates():
    return compiled(
        """
        levels: {thresholds: [0, 100]}
        achievements:
          - id: three-readings
            title: Three readings
            criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 3}
          - id: marathon
            title: Marathon distance
            criteria:
              metric: {events: {type: health.run.recorded}, aggregate: sum, field: km}
              threshold: 42.5
          - id: steady-oxygen
            title: Three readings, none under 95
            criteria:
              all:
                - {metric: {events: {type: health.oxygen.recorded}}, threshold: 3}
                - {metric: {events: {type: health.oxygen.recorded}, aggregate: min, field: spo2}, threshold: 95}
          - id: no-spikes
            title: Three readings, none over 120
            criteria:
              all:
                - {metric: {events: {type: health.pressure.recorded}}, threshold: 3}
                - metric: {events: {type: health.pressure.recorded}, aggregate: max, field: systolic}
                  operator: lte
                  threshold: 120
          - id: calm-now
            title: Two readings, the latest at most 60
            criteria:
              all:
                - {metric: {events: {type: health.pulse.recorded}}, threshold: 2}
                - metric: {events: {type: health.pulse.recorded}, aggregate: last, field: bpm}
                  operator: lte
                  threshold: 60
          - id: clinic-hopper
            title: Three clinics
            criteria:
              metric: {events: {type: care.appointment.completed}, aggregate: distinct, field: clinicId}
              threshold: 3
        """
    )


def readings(type, field, values, start=0):
    return [event(type=type, at=at(hours=start + i), payload={field: v}) for i, v in enumerate(values)]


def test_count_counts_every_matching_event(aggregates):
    two = run(aggregates, readings("health.metric.recorded", "x", [1, 2]))
    three = run(aggregates, readings("health.metric.recorded", "x", [3], start=2), two.state)

    assert "three-readings" not in two.state.unlocked
    assert "three-readings" in three.state.unlocked


def test_sum_adds_numeric_fields_including_fractions(aggregates):
    short = run(aggregates, readings("health.run.recorded", "km", [20.25, 21.75, 0.25]))
    done = run(aggregates, readings("health.run.recorded", "km", [0.25], start=3), short.state)

    assert "marathon" not in short.state.unlocked
    assert "marathon" in done.state.unlocked


def test_sum_ignores_booleans_strings_and_missing_fields(aggregates):
    decision = run(aggregates, readings("health.run.recorded", "km", [40, True, "5", None, {"km": 5}]))

    assert "marathon" not in decision.state.unlocked


def test_min_is_the_lowest_value_seen(aggregates):
    one_low = run(aggregates, readings("health.oxygen.recorded", "spo2", [97, 93, 99]))
    all_high = run(aggregates, readings("health.oxygen.recorded", "spo2", [97, 95, 99]))

    assert "steady-oxygen" not in one_low.state.unlocked
    assert "steady-oxygen" in all_high.state.unlocked


def test_max_is_the_highest_value_seen(aggregates):
    one_spike = run(aggregates, readings("health.pressure.recorded", "systolic", [110, 125, 100]))
    no_spike = run(aggregates, readings("health.pressure.recorded", "systolic", [110, 120, 100]))

    assert "no-spikes" not in one_spike.state.unlocked
    assert "no-spikes" in no_spike.state.unlocked


def test_last_is_the_value_of_the_latest_event_by_event_time_not_arrival(aggregates):
    newest = event(type="health.pulse.recorded", at=at(hours=2), payload={"bpm": 55})
    older_arriving_late = event(type="health.pulse.recorded", at=at(hours=1), payload={"bpm": 70})

    outcome = run_batches(aggregates, [[newest], [older_arriving_late]])

    assert "calm-now" in outcome.state.unlocked


def test_last_is_not_replaced_by_an_older_event_arriving_late(aggregates):
    newest = event(type="health.pulse.recorded", at=at(hours=2), payload={"bpm": 70})
    older_arriving_late = event(type="health.pulse.recorded", at=at(hours=1), payload={"bpm": 55})

    outcome = run_batches(aggregates, [[newest], [older_arriving_late]])

    assert "calm-now" not in outcome.state.unlocked


def test_distinct_counts_each_value_once(aggregates):
    repeats = run(aggregates, readings("care.appointment.completed", "clinicId", ["c1", "c2", "c1", "c2"]))
    third = run(
        aggregates, readings("care.appointment.completed", "clinicId", ["c3"], start=4), repeats.state
    )

    assert "clinic-hopper" not in repeats.state.unlocked
    assert "clinic-hopper" in third.state.unlocked


def test_distinct_ignores_values_that_are_not_scalars(aggregates):
    decision = run(
        aggregates, readings("care.appointment.completed", "clinicId", ["c1", {"id": "c2"}, ["c3"], None])
    )

    assert "clinic-hopper" not in decision.state.unlocked

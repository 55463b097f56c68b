"""The catalog schedule: which version is in force at an instant, and what an apply adds to it."""

from datetime import UTC, datetime, timedelta

from questline.domain.catalog_schedule import BUNDLE_FILE, ScheduledVersion, in_force, pending, schedule_apply

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DELAY = timedelta(seconds=60)


def entry(version: str, seconds: int) -> ScheduledVersion:
    return ScheduledVersion(version, f"hash-{version}", T0 + timedelta(seconds=seconds))


def test_the_first_apply_keeps_the_bundle_file_in_force_until_its_start():
    schedule = schedule_apply((), "v1", "hash-v1", T0, DELAY)

    assert schedule == (BUNDLE_FILE, entry("v1", 60))
    assert in_force(schedule, T0 + timedelta(seconds=59, microseconds=999_999)) is BUNDLE_FILE
    assert in_force(schedule, T0 + DELAY) == entry("v1", 60)
    assert pending(schedule, T0) == (entry("v1", 60),)
    assert pending(schedule, T0 + DELAY) == ()


def test_each_version_is_in_force_from_its_start_until_the_next_one():
    schedule = (entry("v1", 0), entry("v2", 60), entry("v3", 70))

    found = [in_force(schedule, T0 + timedelta(seconds=s)).version for s in (-5, 0, 59, 60, 69, 70, 999)]

    assert found == ["v1", "v1", "v1", "v2", "v2", "v3", "v3"]


def test_an_apply_keeps_what_is_in_force_within_one_delay_before_it_and_drops_the_rest():
    schedule = (BUNDLE_FILE, entry("v1", 0), entry("v2", 30), entry("v3", 100))

    after = schedule_apply(schedule, "v4", "hash-v4", T0 + timedelta(seconds=95), DELAY)

    # At 95 s - 60 s = 35 s, v2 was in force: it and what follows stay, v1 and the file go.
    assert after == (entry("v2", 30), entry("v3", 100), entry("v4", 155))


def test_an_apply_on_a_clock_behind_the_last_one_starts_with_it_not_before():
    schedule = (BUNDLE_FILE, entry("v1", 60))

    after = schedule_apply(schedule, "v2", "hash-v2", T0 - timedelta(seconds=5), DELAY)

    assert after[-1] == entry("v2", 60)
    assert in_force(after, T0 + DELAY).version == "v2"  # the later apply wins at the shared start

"""When each catalog version is in force: the schedule the active catalog pointer carries.

An apply never changes the version in force at once. It schedules its version from
``effective_from`` = the apply's instant + the activation delay, and the delay is longer than any
process keeps its copy of the pointer. So a copy read less than a cache TTL ago already names
every version that can be in force at any instant before the copy expires, and every process
picks the same version for the same instant, whichever copy it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# How long a process trusts its copy of the active catalog pointer: one read per container per
# TTL. An apply takes effect CATALOG_ACTIVATION_DELAY after it is made, longer than the TTL, so
# every copy is re-read before then and every function switches at the same stated instant. The
# 5 s between them allow for containers' clocks disagreeing.
CATALOG_TTL = timedelta(seconds=55)
CATALOG_ACTIVATION_DELAY = timedelta(seconds=60)


@dataclass(frozen=True)
class ScheduledVersion:
    version: str | None  # None: the bundle file (CATALOG_PATH or the demo), before any apply
    content_hash: str | None
    effective_from: datetime | None  # None: in force since before anything the schedule records


BUNDLE_FILE = ScheduledVersion(None, None, None)
Schedule = tuple[ScheduledVersion, ...]


def in_force(schedule: Sequence[ScheduledVersion], instant: datetime) -> ScheduledVersion:
    """The entry in force at ``instant``: the last one that started at or before it (entries are
    in start order; the first one stands for every instant before the schedule's records)."""
    chosen = schedule[0] if schedule else BUNDLE_FILE
    for entry in schedule:
        if entry.effective_from is not None and entry.effective_from > instant:
            break
        chosen = entry
    return chosen


def pending(schedule: Sequence[ScheduledVersion], instant: datetime) -> Schedule:
    """The entries that start after ``instant``, in start order."""
    return tuple(e for e in schedule if e.effective_from is not None and e.effective_from > instant)


def schedule_apply(
    schedule: Sequence[ScheduledVersion], version: str, content_hash: str, now: datetime, delay: timedelta
) -> Schedule:
    """The schedule once ``version`` is applied at ``now``: it starts at ``now + delay``, never
    before a version applied earlier (a clock behind the last applier's must not reorder them).
    Entries over before ``now - delay`` are dropped: no process can still be deciding at those
    instants, and the pointer stays small."""
    schedule = tuple(schedule) or (BUNDLE_FILE,)
    starts = now + delay
    latest = schedule[-1].effective_from
    if latest is not None and latest > starts:
        starts = latest
    horizon = now - delay
    first = max(i for i, e in enumerate(schedule) if i == 0 or _started(e, horizon))
    return (*schedule[first:], ScheduledVersion(version, content_hash, starts))


def _started(entry: ScheduledVersion, instant: datetime) -> bool:
    return entry.effective_from is None or entry.effective_from <= instant

"""The one period calculator: days, weeks and months in a user's IANA time zone (pure).

Every streak, quest, calendar window and leaderboard asks this module which period an instant
belongs to. Periods are numbered by an ordinal that is comparable across time zones' calendars
(days since 0001-01-01, weeks since a fixed week start, months since year 0), so "how many
periods lie between two instants" is a subtraction, and DST (23- or 25-hour days) never enters
the arithmetic: only local calendar dates do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from questline.models.zones import zone

PeriodKind = Literal["day", "week", "month"]
MONDAY = 0
_TICK = timedelta(microseconds=1)


def local_date(instant: datetime, tz: str) -> date:
    return instant.astimezone(zone(tz)).date()


def period_index(instant: datetime, tz: str, kind: PeriodKind, week_start: int = MONDAY) -> int:
    """The ordinal of the period holding ``instant`` in zone ``tz``."""
    return date_period_index(effective_date(instant, tz), kind, week_start)


def effective_date(instant: datetime, tz: str) -> date:
    """The local date, except in the rare minutes before a later midnight where the clock fell
    back across midnight: those still belong to the day before (see local_midnight)."""
    day = local_date(instant, tz)
    tzinfo = zone(tz)
    if instant.astimezone(tzinfo).hour == 0 and instant < local_midnight(day, tz):
        return day - timedelta(days=1)
    return day


def date_period_index(day: date, kind: PeriodKind, week_start: int = MONDAY) -> int:
    if kind == "day":
        return day.toordinal()
    if kind == "week":
        # date.toordinal() is 1 for Monday 0001-01-01; shift so weeks begin on week_start.
        return (day.toordinal() - 1 - week_start) // 7
    return day.year * 12 + day.month - 1


def period_start_date(index: int, kind: PeriodKind, week_start: int = MONDAY) -> date:
    """The first local date of the period with ordinal ``index``."""
    if kind == "day":
        return date.fromordinal(index)
    if kind == "week":
        return date.fromordinal(index * 7 + 1 + week_start)
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day: date, tz: str) -> datetime:
    """The first instant (UTC) from which the local date is ``day`` for good.

    Usually local midnight. Where clocks jump over midnight (a DST gap) it is the first local
    time that exists; where clocks fall back across midnight (the date goes back to the
    previous day for a while) it is the later midnight, so periods still tile time."""
    tzinfo = zone(tz)
    naive = datetime(day.year, day.month, day.day)
    candidates = sorted({naive.replace(tzinfo=tzinfo, fold=f).astimezone(UTC) for f in (0, 1)})
    exact = [c for c in candidates if c.astimezone(tzinfo).replace(tzinfo=None) == naive]
    if exact:
        # The last instant at which the date is entered from the day before.
        entries = [c for c in exact if (c - _TICK).astimezone(tzinfo).date() < day]
        return max(entries) if entries else exact[0]
    # Midnight does not exist: search for the instant the date changes.
    low, high = candidates[0] - timedelta(hours=3), candidates[-1] + timedelta(hours=3)
    while high - low > _TICK:
        middle = low + (high - low) / 2
        if middle.astimezone(tzinfo).date() < day:
            low = middle
        else:
            high = middle
    boundary = high.replace(microsecond=0)  # clocks change on whole seconds
    return boundary if boundary.astimezone(tzinfo).date() >= day else high


def period_bounds(
    instant: datetime, tz: str, kind: PeriodKind, week_start: int = MONDAY
) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the period holding ``instant``."""
    index = period_index(instant, tz, kind, week_start)
    return period_bounds_of(index, tz, kind, week_start)


def period_bounds_of(
    index: int, tz: str, kind: PeriodKind, week_start: int = MONDAY
) -> tuple[datetime, datetime]:
    start = local_midnight(period_start_date(index, kind, week_start), tz)
    end = local_midnight(period_start_date(index + 1, kind, week_start), tz)
    return start, end


def period_end(instant: datetime, tz: str, kind: PeriodKind, week_start: int = MONDAY) -> datetime:
    return period_bounds(instant, tz, kind, week_start)[1]


def period_label(index: int, kind: PeriodKind, week_start: int = MONDAY) -> str:
    """A readable, sortable name: ``2026-11-21``, ``2026-11-16/w`` (week starting), ``2026-11``."""
    start = period_start_date(index, kind, week_start)
    if kind == "day":
        return start.isoformat()
    if kind == "week":
        return f"{start.isoformat()}/w"
    return f"{start.year:04d}-{start.month:02d}"  # not strftime: it writes year 1 as "1"

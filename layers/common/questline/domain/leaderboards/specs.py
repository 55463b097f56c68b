"""Boards as the rules engine sees them: which period an instant falls in, in the board's zone,
when a period closes (its end plus the grace for late events) and when its live standings
expire (the close plus the retention). All period arithmetic is the period calculator's.

Period keys name periods in keys and URLs: ``all`` (all-time), ``2026-11-21`` (a day),
``2026-11-16`` (the first day of a week), ``2026-11`` (a month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from questline.domain.periods import (
    PeriodKind,
    date_period_index,
    period_bounds_of,
    period_index,
    period_start_date,
)
from questline.models.leaderboards.catalog import Board

if TYPE_CHECKING:
    from questline.domain.catalog import CompiledCatalog

ALL_TIME = "all"


@dataclass(frozen=True)
class BoardPeriod:
    """One period of one board; ``index`` is the period calculator's ordinal (None: all-time)."""

    key: str
    index: int | None
    start: datetime | None
    end: datetime | None


ALL_TIME_PERIOD = BoardPeriod(ALL_TIME, None, None, None)


class PeriodKeyError(ValueError):
    """A period key that names no period of a board: malformed, of another kind of board, or at
    the ends of the calendar (year 1, year 9999), where a period's local midnights, its close
    or its expiry fall outside the dates Python can represent."""


@lru_cache(maxsize=4096)
def _bounds(index: int, tz: str, kind: PeriodKind, week_start: int) -> tuple[datetime, datetime]:
    # Many events of a batch fall in the same few periods; local midnights are worth caching.
    return period_bounds_of(index, tz, kind, week_start)


@dataclass(frozen=True)
class BoardSpec:
    """A board with the zone and week start its periods are cut with."""

    board: Board
    tz: str
    week_start: int

    @property
    def id(self) -> str:
        return self.board.id

    @property
    def kind(self) -> PeriodKind | None:
        return None if self.board.period == "all-time" else cast(PeriodKind, self.board.period)

    def period(self, index: int) -> BoardPeriod:
        kind = self.kind
        assert kind is not None
        start, end = _bounds(index, self.tz, kind, self.week_start)
        first = period_start_date(index, kind, self.week_start)
        # Not strftime: it writes year 1 as "1", a key no request could name again.
        key = f"{first.year:04d}-{first.month:02d}" if kind == "month" else first.isoformat()
        return BoardPeriod(key, index, start, end)

    def period_at(self, instant: datetime) -> BoardPeriod:
        """The period holding ``instant`` (local calendar of the board's zone)."""
        kind = self.kind
        if kind is None:
            return ALL_TIME_PERIOD
        return self.period(period_index(instant, self.tz, kind, self.week_start))

    def period_of_key(self, key: str) -> BoardPeriod:
        """The period a key names; any date inside a day, week or month names it too.
        Raises PeriodKeyError for a key that names no period of this board."""
        kind = self.kind
        if kind is None:
            if key != ALL_TIME:
                raise PeriodKeyError(f"an all-time board has the one period {ALL_TIME!r}")
            return ALL_TIME_PERIOD
        try:
            day = date.fromisoformat(f"{key}-01" if kind == "month" and len(key) == 7 else key)
        except ValueError as exc:
            raise PeriodKeyError(f"{key!r} is not a period (YYYY-MM-DD, or YYYY-MM for a month)") from exc
        try:
            period = self.period(date_period_index(day, kind, self.week_start))
            self.expires_at(period)  # the latest instant a period has must exist too
        except (OverflowError, ValueError) as exc:
            raise PeriodKeyError(f"{key!r} is beyond the range of periods a board can hold") from exc
        return period

    def shifted(self, period: BoardPeriod, by: int) -> BoardPeriod:
        """The period ``by`` periods after (negative: before) ``period``."""
        if period.index is None:
            return period
        return self.period(period.index + by)

    def closes_at(self, period: BoardPeriod) -> datetime | None:
        """After this instant late events no longer count and the period can be closed."""
        if period.end is None:
            return None
        return period.end + timedelta(seconds=self.board.grace.seconds)

    def expires_at(self, period: BoardPeriod) -> datetime | None:
        """When the live standings (Redis keys, DynamoDB score items) are dropped."""
        closes = self.closes_at(period)
        return None if closes is None else closes + timedelta(seconds=self.board.retention.seconds)

    def status(self, period: BoardPeriod, now: datetime) -> str:
        """``open`` (before the end), ``closing`` (within grace), ``closed``."""
        if period.end is None or now < period.end:
            return "open"
        closes = self.closes_at(period)
        assert closes is not None
        return "closing" if now < closes else "closed"

    def retained(self, now: datetime, limit: int = 400) -> list[BoardPeriod]:
        """The current period and every earlier one whose standings are not yet expired."""
        current = self.period_at(now)
        found = [current]
        while current.index is not None and len(found) < limit:
            current = self.shifted(current, -1)
            expires = self.expires_at(current)
            if expires is None or expires <= now:
                break
            found.append(current)
        return found


@dataclass(frozen=True)
class BoardSet:
    """The catalog's boards, ready for the decide step and the services."""

    specs: tuple[BoardSpec, ...]
    by_id: dict[str, BoardSpec]
    currencies: tuple[str, ...]  # balances whose changes some board ranks


def compile_boards(catalog: CompiledCatalog) -> BoardSet:
    """The board set of a compiled catalog (cached: one compilation per catalog object)."""
    cached = _compiled.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    source = catalog.catalog
    specs = tuple(
        BoardSpec(b, b.time_zone or source.default_time_zone, source.week_start_index) for b in source.boards
    )
    currencies = tuple(dict.fromkeys(s.board.score.currency for s in specs if s.board.score.currency))
    compiled = BoardSet(specs, {s.id: s for s in specs}, currencies)
    if len(_compiled) >= 8:
        _compiled.clear()  # a process sees few catalog versions; keep the cache tiny
    _compiled[id(catalog)] = (catalog, compiled)
    return compiled


# Keyed by id() with the catalog kept alive beside it, so an id is never reused while cached.
_compiled: dict[int, tuple[CompiledCatalog, BoardSet]] = {}

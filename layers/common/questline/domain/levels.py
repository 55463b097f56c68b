"""Level arithmetic on a table of thresholds (pure)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence


def level_for_xp(thresholds: Sequence[int], xp: int) -> int:
    """The level a total of ``xp`` reaches; ``thresholds[i]`` is the XP needed for level i+1."""
    return max(1, bisect_right(thresholds, xp))


def next_level_xp(thresholds: Sequence[int], level: int) -> int | None:
    """XP needed for the level after ``level``, or None at the top of the curve."""
    return thresholds[level] if level < len(thresholds) else None

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from questline.domain.levels import level_for_xp, next_level_xp
from questline.models.catalog import LevelCurve, LevelFormula

THRESHOLDS = (0, 100, 250, 500)


def test_level_one_at_zero_xp():
    assert level_for_xp(THRESHOLDS, 0) == 1


def test_reaching_a_threshold_exactly_reaches_the_level():
    assert level_for_xp(THRESHOLDS, 100) == 2
    assert level_for_xp(THRESHOLDS, 99) == 1


def test_the_top_level_has_no_next_threshold():
    assert next_level_xp(THRESHOLDS, 4) is None
    assert next_level_xp(THRESHOLDS, 1) == 100


@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=30, unique=True), st.integers(0, 400_000))
def test_level_is_the_number_of_thresholds_reached(steps, xp):
    thresholds = [0, *sorted(set(steps))]
    level = level_for_xp(thresholds, xp)
    assert thresholds[level - 1] <= xp
    assert level == len(thresholds) or xp < thresholds[level]


@given(st.integers(0, 1_000_000), st.integers(0, 1_000_000))
def test_more_xp_never_means_a_lower_level(a, b):
    table = LevelCurve(formula=LevelFormula(kind="power", base=100, exponent=1.5, max_level=200)).table()
    low, high = sorted((a, b))
    assert level_for_xp(table, low) <= level_for_xp(table, high)


@given(st.sampled_from(["linear", "power", "exponential"]), st.integers(1, 5000), st.floats(1.05, 3))
def test_every_accepted_formula_curve_is_strictly_increasing_from_zero(kind, base, exponent):
    try:
        curve = LevelCurve(formula=LevelFormula(kind=kind, base=base, exponent=exponent, max_level=30))
    except ValidationError as exc:
        rejected = str(exc)
        assert "strictly increasing" in rejected
        return
    table = curve.table()
    assert table[0] == 0
    assert all(b > a for a, b in itertools.pairwise(table))


def test_a_curve_that_does_not_grow_is_rejected():
    with pytest.raises(ValidationError, match="strictly increasing"):
        LevelCurve(thresholds=[0, 100, 100])


def test_a_curve_needs_exactly_one_of_thresholds_or_formula():
    with pytest.raises(ValidationError, match="exactly one"):
        LevelCurve()

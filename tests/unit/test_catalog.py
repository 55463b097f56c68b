import pytest

from questline.errors import CatalogError
from questline.models.catalog import parse_catalog
from questline.services.catalog import read_catalog
from tests.factories import TEST_CATALOG_YAML

LEVELS = "levels: {thresholds: [0, 100]}\n"


def test_the_demo_catalog_is_valid():
    catalog = read_catalog(None)
    assert catalog.version == "demo-1"
    assert catalog.achievements


def test_a_bundle_without_version_is_versioned_by_its_content():
    first = parse_catalog(TEST_CATALOG_YAML.replace("version: test-1", ""))
    second = parse_catalog(TEST_CATALOG_YAML.replace("version: test-1", ""))
    changed = parse_catalog(TEST_CATALOG_YAML.replace("version: test-1", "").replace("xp: 10", "xp: 11"))
    assert first.version == second.version != changed.version


@pytest.mark.parametrize(
    ("bundle", "path", "message"),
    [
        ("- just a list", "", "a catalog bundle is a mapping"),
        ("levels: [unclosed", "", "not valid YAML"),
        ("xp: []", "levels", "Field required"),
        (LEVELS + "xp: [{eventType: Health, xp: 5}]", "xp[0].eventType", "should match pattern"),
        (LEVELS + "xp: [{eventType: a.b, xp: -1}]", "xp[0].xp", "greater than or equal to 0"),
        ("levels: {thresholds: [5, 10]}", "levels", "must be 0"),
        ("levels: {thresholds: [0, 10, 9]}", "levels", "strictly increasing"),
        ("levels: {formula: {kind: cubic, base: 10}}", "levels.formula.kind", "Input should be"),
        (
            LEVELS + "achievements: [{id: a, title: A, counter: {eventType: a.b}, threshold: 0}]",
            "achievements[0].threshold",
            "greater than 0",
        ),
        (
            LEVELS
            + "achievements: [{id: a, title: A, counter: {eventType: a.b, aggregate: sum}, threshold: 1}]",
            "achievements[0].counter",
            "needs a payload field",
        ),
        (
            LEVELS
            + "achievements: [{id: a, title: A, type: WEIRD, counter: {eventType: a.b}, threshold: 1}]",
            "achievements[0].type",
            "Input should be",
        ),
        (
            LEVELS + "achievements: [{id: a, title: A, counter: {eventType: a.b}, threshold: 1, bonus: 3}]",
            "achievements[0].bonus",
            "Extra inputs",
        ),
        (
            LEVELS
            + "achievements: [{id: a, title: A, counter: {eventType: a.b}, threshold: 1},"
            + " {id: a, title: B, counter: {eventType: a.b}, threshold: 2}]",
            "achievements",
            "duplicate achievement id 'a' at [1]",
        ),
    ],
)
def test_an_invalid_bundle_names_the_path_and_the_problem(bundle, path, message):
    with pytest.raises(CatalogError) as caught:
        parse_catalog(bundle)
    paths = {p for p, _ in caught.value.errors}
    assert path in paths, caught.value.errors
    assert any(message in m for p, m in caught.value.errors if p == path), caught.value.errors

import json

import pytest

from questline.errors import CatalogError
from questline.models.catalog_bundle import format_of, parse_catalog, parse_document
from questline.services.catalog import read_catalog
from tests.factories import TEST_CATALOG_YAML

LEVELS = "levels: {thresholds: [0, 100]}\n"
COUNT = "{metric: {events: {type: a.b}}, threshold: 1}"


def achievement(body: str, id: str = "a") -> str:
    return f"{{id: {id}, title: A, {body}}}"


def bundle(*achievements: str, extra: str = "") -> str:
    return LEVELS + extra + "achievements: [" + ", ".join(achievements) + "]"


def test_the_demo_catalog_is_valid():
    catalog = read_catalog(None)
    assert catalog.version == "demo-2"
    assert catalog.achievements


def test_a_bundle_without_version_is_versioned_by_its_content():
    unversioned = TEST_CATALOG_YAML.replace("version: test-1", "")
    first, second = parse_catalog(unversioned), parse_catalog(unversioned)
    changed = parse_catalog(unversioned.replace("amount: 10", "amount: 11"))
    assert first.version == second.version != changed.version


INVALID = [
    ("- just a list", "", "a catalog bundle is a mapping"),
    ("levels: [unclosed", "", "not valid YAML"),
    ("xp: []", "levels", "Field required"),
    ("levels: {thresholds: [5, 10]}", "levels", "must be 0"),
    ("levels: {thresholds: [0, 10, 9]}", "levels", "strictly increasing"),
    ("levels: {formula: {kind: cubic, base: 10}}", "levels.formula.kind", "Input should be"),
    (LEVELS + "defaultTimeZone: Mars/Olympus", "defaultTimeZone", "unknown time zone"),
    (
        LEVELS + "xp: [{id: r, events: {type: Health}, amount: 5}]",
        "xp[0].events.type",
        "should match pattern",
    ),
    (LEVELS + "xp: [{id: r, events: {type: a.b}, amount: -1}]", "xp[0].amount", "greater than or equal to 0"),
    (LEVELS + "xp: [{id: r, events: {type: a.b}}]", "xp[0]", "exactly one of amount or fromField"),
    (
        LEVELS + "xp: [{id: r, events: {type: a.b}, amount: 1, currency: gems}]",
        "xp[0].currency",
        "unknown currency 'gems'",
    ),
    (
        LEVELS + "boosts: [{id: b, factor: 2, from: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z'}]",
        "boosts[0]",
        "until must be after from",
    ),
    (
        bundle(achievement("criteria: {metric: {events: {type: a.b}}, threshold: 1}, bonus: 3")),
        "achievements[0].bonus",
        "Extra inputs",
    ),
    (bundle(achievement("type: WEIRD, criteria: " + COUNT)), "achievements[0].type", "Input should be"),
    (bundle(achievement("points: 1")), "achievements[0]", "give criteria, or metric with tiers"),
    (
        bundle(achievement("criteria: {bogus: 1}")),
        "achievements[0].criteria",
        "a condition has one of the keys",
    ),
    (
        bundle(achievement("criteria: {all: [" + COUNT + ", {metric: {aggregate: sum}, threshold: 1}]}")),
        "achievements[0].criteria.all[1].metric",
        "sum needs a payload field",
    ),
    (
        bundle(
            achievement(
                "criteria: {all: ["
                + COUNT
                + ", {metric: {window: {rolling: {duration: 2, unit: weeks}}}, threshold: 1}]}"
            )
        ),
        "achievements[0].criteria.all[1].metric.window.rolling.unit",
        "Input should be",
    ),
    (
        bundle(achievement("criteria: {any: [{not: {metric: {window: {hourly: 1}}, threshold: 1}}]}")),
        "achievements[0].criteria.any[0].not.metric.window",
        "a window is",
    ),
    (
        bundle(
            achievement(
                "criteria: {metric: {events: {type: a.b, payload: [{field: x, gt: 1, lt: 5}]}}, threshold: 1}"
            )
        ),
        "achievements[0].criteria.metric.events.payload[0]",
        "exactly one of",
    ),
    (
        bundle(achievement("criteria: {metric: {events: {type: a.b}}, operator: about, threshold: 1}")),
        "achievements[0].criteria.operator",
        "Input should be",
    ),
    (
        bundle(
            achievement(
                "metric: {events: {type: a.b}}, tiers: [{id: t1, threshold: 5}, {id: t2, threshold: 5}]"
            )
        ),
        "achievements[0]",
        "tier thresholds must be strictly increasing",
    ),
    (
        bundle(achievement("criteria: {achievement: ghost}")),
        "achievements[0].criteria",
        "unknown achievement 'ghost'",
    ),
    (
        bundle(
            achievement("criteria: {achievement: b}", "a"), achievement("criteria: {achievement: a}", "b")
        ),
        "achievements[0].criteria",
        "prerequisite cycle: a -> b -> a",
    ),
    (
        bundle(achievement("criteria: " + COUNT, "a"), achievement("criteria: " + COUNT, "a")),
        "achievements",
        "duplicate id 'a' at [1]",
    ),
    (
        bundle(achievement("criteria: " + COUNT + ", rewards: [{currency: gems, amount: 5}]")),
        "achievements[0].rewards",
        "unknown currency 'gems'",
    ),
    (
        bundle(
            achievement(
                "criteria: "
                + COUNT
                + ", availableFrom: '2026-02-01T00:00:00Z', availableUntil: '2026-01-01T00:00:00Z'"
            )
        ),
        "achievements[0]",
        "availableUntil must be after availableFrom",
    ),
    *[
        (
            bundle(achievement(f"criteria: {{metric: {{events: {{type: a.b}}}}, threshold: {value}}}")),
            "achievements[0].criteria.threshold",
            "finite number",
        )
        for value in (".nan", ".inf", "-.inf")
    ],
]


@pytest.mark.parametrize(("text", "path", "message"), INVALID)
def test_an_invalid_bundle_names_the_path_and_the_problem(text, path, message):
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    paths = {p for p, _ in caught.value.errors}
    assert path in paths, caught.value.errors
    assert any(message in m for p, m in caught.value.errors if p == path), caught.value.errors


# A tab between tokens is JSON that YAML refuses: a JSON bundle must never go through the YAML parser.
JSON_ONLY = '{"version":\t"v-json", "levels": {"thresholds": [0, 100]}}'


def test_one_parser_reads_json_as_json_and_yaml_as_yaml():
    assert json.loads(JSON_ONLY)["version"] == parse_catalog(JSON_ONLY, "json").version == "v-json"
    with pytest.raises(CatalogError, match="not valid YAML"):
        parse_catalog(JSON_ONLY, "yaml")
    with pytest.raises(CatalogError, match="not valid JSON"):
        parse_catalog(LEVELS, "json")


def test_a_bundle_file_is_parsed_by_its_name(tmp_path):
    (tmp_path / "bundle.json").write_text(JSON_ONLY, "utf-8")
    (tmp_path / "bundle.yaml").write_text(LEVELS + "version: v-yaml\n", "utf-8")
    assert read_catalog(str(tmp_path / "bundle.json")).version == "v-json"
    assert read_catalog(tmp_path / "bundle.yaml").version == "v-yaml"
    assert [format_of("a.JSON"), format_of("a.yml"), format_of("a")] == ["json", "yaml", "yaml"]


@pytest.mark.parametrize(("fmt", "text"), [("json", "[1, 2]"), ("yaml", "- 1\n- 2"), ("json", '"text"')])
def test_a_document_that_is_not_a_mapping_is_refused_naming_what_it_should_be(fmt, text):
    with pytest.raises(CatalogError) as caught:
        parse_document(text, fmt, what="an achievement")
    assert caught.value.errors == [("", "an achievement is a mapping")]

"""``questline-catalog`` commands that need no AWS: validate and schema."""

from __future__ import annotations

import json

import jsonschema
import yaml

from questline.cli.catalog import main
from tests.factories import TEST_CATALOG_YAML

BROKEN_YAML = """
levels: {thresholds: [0, 10]}
achievements:
  - id: a1
    title: A1
    criteria: {metric: {events: {type: Not A Type}}, threshold: 1}
"""


def test_validate_accepts_a_good_file(tmp_path, capsys):
    path = tmp_path / "catalog.yaml"
    path.write_text(TEST_CATALOG_YAML)

    code = main(["validate", str(path)])

    assert code == 0
    assert "valid: version test-1" in capsys.readouterr().out


def test_validate_accepts_a_json_file(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(yaml.safe_load(TEST_CATALOG_YAML)))

    assert main(["validate", str(path)]) == 0


def test_validate_rejects_a_bad_file_with_one_path_per_line(tmp_path, capsys):
    path = tmp_path / "catalog.yaml"
    path.write_text(BROKEN_YAML)

    code = main(["validate", str(path)])

    assert code == 1
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["achievements[0].criteria.metric.events.type"]


def test_validate_reports_a_missing_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.yaml")]) == 1
    assert capsys.readouterr().err.startswith("error:")


def test_schema_is_a_json_schema_of_the_bundle_that_accepts_the_test_catalog(capsys):
    assert main(["schema"]) == 0

    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {
        "version",
        "defaultTimeZone",
        "weekStart",
        "currencies",
        "xp",
        "boosts",
        "levels",
        "achievements",
    } <= set(schema["properties"])
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(TEST_CATALOG_YAML))) == []

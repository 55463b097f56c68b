"""The local system's bus rules come from the template with its parameters evaluated, so a rule
matches locally what it matches when deployed (here: the award rule and its trusted sources)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from questline_local.intrinsics import parameter_values, resolve
from questline_local.resources import load_template
from questline_local.triggers import create_bus_trigger, function_triggers


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def award_trigger(template, parameters=None):
    [trigger] = [t for t in function_triggers(template, parameters)[1] if t.name == "AwardRequested"]
    return trigger


def wire(resources, trigger) -> str:
    """The trigger's rule and queue, as the local system creates them (queues: "<table>-<id>")."""
    bus, prefix = resources.event_bus_name, resources.table_name
    return create_bus_trigger(boto3.client("events"), boto3.client("sqs"), trigger, bus, prefix)


def delivered_sources(resources, queue_url: str, sources: list[str]) -> list[str]:
    """Put one AwardRequested per source on the bus; the sources of what reached the queue."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    entries = [
        {
            "Source": s,
            "DetailType": "AwardRequested",
            "Detail": "{}",
            "EventBusName": resources.event_bus_name,
        }
        for s in sources
    ]
    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return sorted(json.loads(m["Body"])["source"] for m in messages.get("Messages", []))


FORGED = ["crm.sync", "Questline", "questline.admin", "e2e.prizes.fake"]


def test_by_default_only_questline_reaches_the_award_function(resources, template):
    trigger = award_trigger(template)
    url = wire(resources, trigger)

    assert delivered_sources(resources, url, [*FORGED, "e2e.prizes", "questline"]) == ["questline"]


def test_a_trusted_source_given_to_the_run_reaches_it_too(resources, template):
    trigger = award_trigger(template, {"TrustedAwardSources": "e2e.prizes"})
    url = wire(resources, trigger)

    assert delivered_sources(resources, url, [*FORGED, "e2e.prizes", "questline"]) == [
        "e2e.prizes",
        "questline",
    ]


def test_a_parameter_the_template_does_not_declare_is_refused(template):
    with pytest.raises(KeyError, match="TrustedAwardSource"):
        function_triggers(template, {"TrustedAwardSource": "typo"})


def test_parameters_take_their_defaults_and_lists_are_trimmed(template):
    values = parameter_values(template, {"TrustedAwardSources": "a , b"})
    assert values["TrustedAwardSources"] == ["a", "b"]
    assert parameter_values(template)["TrustedAwardSources"] == [""]
    assert parameter_values(template)["Stage"] == "dev"
    assert "JwtIssuer" not in parameter_values(template)  # no default, none given


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "JwtIssuer"},  # a parameter without a value
        {"Ref": "Table"},  # a resource: nothing local to stand for it
        {"Fn::GetAtt": ["Table", "Arn"]},
        {"Fn::Join": [",", {"Ref": "Stage"}]},  # joining a string, not a list
        {"Fn::If": ["NoSuchCondition", "a", "b"]},
    ],
)
def test_what_cannot_be_resolved_locally_fails_loudly(template, value):
    with pytest.raises((ValueError, KeyError)):
        resolve({"source": value}, template, parameter_values(template))

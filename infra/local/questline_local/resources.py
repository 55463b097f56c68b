"""Local and test AWS resources, built from template.yaml.

Tests and the local system create their table, queues and bus from the deployed template's own
properties, so the schema they run against cannot drift from the one that ships. Only what a
local stand-in needs is read; anything this module does not understand fails loudly rather than
being silently approximated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# A boto3 client factory: ``session.client`` works as is (in-process moto), and
# ``functools.partial(session.client, endpoint_url=url)`` targets a moto server.
ClientFactory = Callable[[str], Any]

TABLE_ID = "Table"
EVENT_BUS_ID = "EventBus"
INGEST_QUEUE_ID = "IngestQueue"
DEAD_LETTER_QUEUE_ID = "IngestDeadLetterQueue"
SCHEDULE_DEAD_LETTER_QUEUE_ID = "ScheduleDeadLetterQueue"

# CloudFormation queue properties with an SQS attribute of the same name. Anything else in the
# template is refused, so a new property cannot be ignored locally by accident.
_QUEUE_ATTRIBUTES = {
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
}


class _CfnLoader(yaml.SafeLoader):
    """PyYAML loader that reads CloudFormation short forms (!Ref, !Sub, ...) as their long forms."""


def _construct_intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{tag_suffix}")
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        # The short form "Resource.Attribute" is the long form's two-item list.
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def default_template_path() -> Path:
    """QUESTLINE_TEMPLATE if set, else the repository's template.yaml (infra/local/... -> root)."""
    override = os.environ.get("QUESTLINE_TEMPLATE")
    return Path(override) if override else Path(__file__).resolve().parents[3] / "template.yaml"


def load_template(path: Path | None = None) -> dict[str, Any]:
    """Parse a CloudFormation/SAM template, short-form intrinsic functions included."""
    path = path or default_template_path()
    if not path.is_file():
        raise FileNotFoundError(f"template not found at {path}; set QUESTLINE_TEMPLATE to its path")
    with path.open(encoding="utf-8") as stream:
        template = yaml.load(stream, Loader=_CfnLoader)  # a SafeLoader: no arbitrary objects
    if not isinstance(template, dict) or "Resources" not in template:
        raise ValueError(f"{path} is not a CloudFormation template (no Resources)")
    return template


@dataclass(frozen=True)
class LocalResources:
    """Physical names and URLs of the resources created for one test or local run."""

    table_name: str
    ingest_queue_url: str
    dead_letter_queue_url: str
    schedule_dead_letter_queue_url: str
    event_bus_name: str

    def env(self) -> dict[str, str]:
        """The environment variables the functions read to find these resources."""
        return {
            "TABLE_NAME": self.table_name,
            "INGEST_QUEUE_URL": self.ingest_queue_url,
            "DEAD_LETTER_QUEUE_URL": self.dead_letter_queue_url,
            "EVENT_BUS_NAME": self.event_bus_name,
        }


def create_resources(
    make_client: ClientFactory, *, suffix: str = "", template: dict[str, Any] | None = None
) -> LocalResources:
    """Create the template's table, queues and event bus; names carry ``suffix`` for isolation."""
    template = template or load_template()
    prefix = f"questline-{suffix}" if suffix else "questline"
    table_name = _create_table(make_client("dynamodb"), prefix, _properties(template, TABLE_ID))
    queue_urls = _create_queues(make_client("sqs"), prefix, template)
    _properties(template, EVENT_BUS_ID)  # the bus must exist in the template too
    make_client("events").create_event_bus(Name=prefix)
    return LocalResources(
        table_name=table_name,
        ingest_queue_url=queue_urls[INGEST_QUEUE_ID],
        dead_letter_queue_url=queue_urls[DEAD_LETTER_QUEUE_ID],
        schedule_dead_letter_queue_url=queue_urls[SCHEDULE_DEAD_LETTER_QUEUE_ID],
        event_bus_name=prefix,
    )


def _properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    resource = template["Resources"].get(logical_id)
    if resource is None:
        raise KeyError(f"template.yaml has no resource {logical_id!r}")
    properties: dict[str, Any] = resource.get("Properties", {})
    return properties


def _literal(value: Any, where: str) -> Any:
    """Return ``value`` unchanged, refusing intrinsic functions nobody taught this module."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" or key.startswith("Fn::"):
                raise ValueError(f"{where}: cannot resolve {key} locally: {value!r}")
            _literal(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _literal(item, f"{where}[{index}]")
    return value


def _create_table(dynamodb: Any, name: str, props: dict[str, Any]) -> str:
    schema = {
        key: _literal(props[key], f"{TABLE_ID}.{key}")
        for key in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "BillingMode")
        if key in props
    }
    dynamodb.create_table(TableName=name, **schema)
    # TTL and PITR cannot be set at creation time through the API, unlike in CloudFormation.
    dynamodb.get_waiter("table_exists").wait(TableName=name)
    if ttl := props.get("TimeToLiveSpecification"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification=_literal(ttl, f"{TABLE_ID}.TimeToLive")
        )
    if pitr := props.get("PointInTimeRecoverySpecification"):
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification=_literal(pitr, f"{TABLE_ID}.PITR")
        )
    return name


def _create_queues(sqs: Any, prefix: str, template: dict[str, Any]) -> dict[str, str]:
    """Create every queue of the template; dead-letter queues first, so redrive targets exist."""
    queues = {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::SQS::Queue"
    }
    missing = {INGEST_QUEUE_ID, DEAD_LETTER_QUEUE_ID, SCHEDULE_DEAD_LETTER_QUEUE_ID} - set(queues)
    if missing:
        raise KeyError(f"template.yaml has no queue {sorted(missing)}")
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}
    for logical_id in sorted(queues, key=lambda lid: "RedrivePolicy" in queues[lid]):
        attributes = _queue_attributes(logical_id, queues[logical_id], arns)
        url = sqs.create_queue(QueueName=f"{prefix}-{logical_id}", Attributes=attributes)
        urls[logical_id] = url["QueueUrl"]
        found = sqs.get_queue_attributes(QueueUrl=urls[logical_id], AttributeNames=["QueueArn"])
        arns[logical_id] = found["Attributes"]["QueueArn"]
    return urls


def _queue_attributes(logical_id: str, props: dict[str, Any], created_arns: dict[str, str]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for key, value in props.items():
        if key == "RedrivePolicy":
            attributes[key] = json.dumps(_redrive_policy(logical_id, value, created_arns))
        elif key in _QUEUE_ATTRIBUTES:
            value = _literal(value, f"{logical_id}.{key}")
            # SQS attributes are strings, booleans spelled as JSON spells them.
            attributes[key] = json.dumps(value) if isinstance(value, bool) else str(value)
        else:
            raise ValueError(f"{logical_id}: queue property {key!r} has no local equivalent")
    return attributes


def _redrive_policy(logical_id: str, policy: dict[str, Any], created_arns: dict[str, str]) -> dict[str, Any]:
    target = policy.get("deadLetterTargetArn")
    match target:
        case {"Fn::GetAtt": [str(dlq_id), "Arn"]} if dlq_id in created_arns:
            resolved = created_arns[dlq_id]
        case _:
            raise ValueError(
                f"{logical_id}: deadLetterTargetArn must be !GetAtt <queue>.Arn of a queue "
                f"without its own redrive policy, got {target!r}"
            )
    rest = {key: value for key, value in policy.items() if key != "deadLetterTargetArn"}
    return {"deadLetterTargetArn": resolved, **_literal(rest, f"{logical_id}.RedrivePolicy")}

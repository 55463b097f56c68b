"""Checks on template.yaml that cfn-lint cannot make: least privilege, retention, dead letters."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from questline_local.resources import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def function_property(template: dict[str, Any], logical_id: str, name: str) -> Any:
    """A function's property, falling back to Globals as SAM does."""
    properties = template["Resources"][logical_id]["Properties"]
    return properties.get(name, template.get("Globals", {}).get("Function", {}).get(name))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    policies = as_list(function["Properties"].get("Policies", []))
    return [stmt for policy in policies if "Statement" in policy for stmt in policy["Statement"]]


def is_table_resource(resource: Any) -> bool:
    return resource in ("*", {"Fn::GetAtt": ["Table", "Arn"]}) or (
        isinstance(resource, dict) and "${Table.Arn}" in str(resource.get("Fn::Sub", ""))
    )


def getatt_target(value: Any) -> str | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    return None


def dead_letter_queue_ids(template: dict[str, Any]) -> set[str]:
    """Queues that receive failures: redrive targets, rule DLQs and OnFailure destinations."""
    targets = [
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
        for queue in resources_of_type(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    ]
    for function in resources_of_type(template, "AWS::Serverless::Function").values():
        properties = function["Properties"]
        for event in properties.get("Events", {}).values():
            targets.append(event["Properties"].get("DeadLetterConfig", {}).get("Arn"))
        on_failure = properties.get("EventInvokeConfig", {}).get("DestinationConfig", {})
        targets.append(on_failure.get("OnFailure", {}).get("Destination"))
    return {target for target in map(getatt_target, targets) if target}


def normalised_requirements(lines: list[str]) -> set[str]:
    return {re.sub(r"\s+", "", line).lower() for line in lines if line.strip()}


# Runtime deprecation rules judge the runtime by today's date, so they would turn the suite red on
# a fixed future day with nothing changed; the runtime is pinned by the test below instead.
DATE_DEPENDENT_RULES = ["E2531", "E2533", "W2531"]


def test_given_template_when_linted_then_cfn_lint_reports_no_errors_or_warnings() -> None:
    matches = lint_file(TEMPLATE_PATH, ManualArgs(ignore_checks=DATE_DEPENDENT_RULES))

    assert [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches] == []


def test_given_functions_then_each_has_a_log_group_with_retention(template) -> None:
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup").values()
    by_name = {str(group["Properties"]["LogGroupName"]): group for group in log_groups}

    for logical_id in resources_of_type(template, "AWS::Serverless::Function"):
        group = by_name.get(str({"Fn::Sub": f"/aws/lambda/${{{logical_id}}}"}))
        assert group is not None, f"{logical_id} has no log group"
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_given_function_policies_then_none_grants_scan_or_wildcards_on_the_table(
    template,
) -> None:
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        for statement in policy_statements(function):
            if not any(map(is_table_resource, as_list(statement["Resource"]))):
                continue
            # A pattern that matches Scan is either Scan itself or a wildcard covering it.
            too_broad = [a for a in as_list(statement["Action"]) if fnmatch("dynamodb:Scan", a)]
            assert too_broad == [], f"{logical_id} grants {too_broad} on the table"


def test_given_function_policies_then_no_sam_template_grants_table_scans(template) -> None:
    scanning_templates = {"DynamoDBCrudPolicy", "DynamoDBReadPolicy"}

    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        policies = as_list(function["Properties"].get("Policies", []))
        named = {name for policy in policies if isinstance(policy, dict) for name in policy}
        assert named.isdisjoint(scanning_templates), logical_id


def test_given_ingest_queue_then_visibility_timeout_is_six_times_the_progress_timeout(
    template,
) -> None:
    visibility = template["Resources"]["IngestQueue"]["Properties"]["VisibilityTimeout"]

    assert visibility >= 6 * function_property(template, "ProgressFunction", "Timeout")


def test_given_queues_with_redrive_then_max_receive_count_is_between_2_and_10(template) -> None:
    queues = resources_of_type(template, "AWS::SQS::Queue").values()
    policies = [q["Properties"]["RedrivePolicy"] for q in queues if "RedrivePolicy" in q["Properties"]]

    assert policies
    assert all(2 <= policy["maxReceiveCount"] <= 10 for policy in policies)


def test_given_table_then_point_in_time_recovery_is_enabled(template) -> None:
    properties = template["Resources"]["Table"]["Properties"]

    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_given_table_then_ttl_is_on_expires_at(template) -> None:
    properties = template["Resources"]["Table"]["Properties"]

    assert properties["TimeToLiveSpecification"] == {"AttributeName": "ExpiresAt", "Enabled": True}


def test_given_table_then_the_due_index_is_keyed_on_due_pk_and_due_sk(template) -> None:
    indexes = template["Resources"]["Table"]["Properties"]["GlobalSecondaryIndexes"]
    due_index = next(index for index in indexes if index["IndexName"] == "DueIndex")

    assert due_index["KeySchema"] == [
        {"AttributeName": "DuePK", "KeyType": "HASH"},
        {"AttributeName": "DueSK", "KeyType": "RANGE"},
    ]
    assert due_index["Projection"] == {"ProjectionType": "ALL"}


def test_given_dead_letter_queues_then_each_has_an_alarm_on_visible_messages(template) -> None:
    alarmed = {
        getatt_target(dimension["Value"])
        for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
        for dimension in alarm["Properties"]["Dimensions"]
    }

    dead_letter_queues = dead_letter_queue_ids(template)

    assert {"IngestDeadLetterQueue", "ScheduleDeadLetterQueue"} <= dead_letter_queues
    assert dead_letter_queues <= alarmed


def test_given_schedule_events_then_each_has_a_dead_letter_and_an_on_failure_destination(
    template,
) -> None:
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        properties = function["Properties"]
        for name, event in properties.get("Events", {}).items():
            if event["Type"] not in ("Schedule", "ScheduleV2", "EventBridgeRule"):
                continue
            assert "DeadLetterConfig" in event["Properties"], f"{logical_id}.{name}"
            on_failure = properties["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
            assert getatt_target(on_failure["Destination"]), logical_id


def test_given_alarms_then_they_notify_the_alarm_topic_when_one_is_set(template) -> None:
    expected = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}

    for logical_id, alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").items():
        assert alarm["Properties"]["AlarmActions"] == expected, logical_id


def test_given_progress_sqs_event_then_it_reports_batch_item_failures(template) -> None:
    events = template["Resources"]["ProgressFunction"]["Properties"]["Events"]
    sqs_events = [event for event in events.values() if event["Type"] == "SQS"]

    assert len(sqs_events) == 1
    assert sqs_events[0]["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"]


def test_given_http_api_then_a_default_jwt_authorizer_uses_the_issuer_and_audience_parameters(
    template,
) -> None:
    auth = template["Resources"]["HttpApi"]["Properties"]["Auth"]
    authorizer = auth["Authorizers"][auth["DefaultAuthorizer"]]

    assert authorizer["JwtConfiguration"] == {
        "issuer": {"Ref": "JwtIssuer"},
        "audience": [{"Ref": "JwtAudience"}],
    }
    assert authorizer["IdentitySource"] == "$request.header.Authorization"


def test_given_http_events_then_each_is_served_by_the_authorized_http_api(template) -> None:
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        for name, event in function["Properties"].get("Events", {}).items():
            if event["Type"] == "HttpApi":
                assert event["Properties"]["ApiId"] == {"Ref": "HttpApi"}, f"{logical_id}.{name}"


def test_given_layer_requirements_then_they_match_pyproject_dependencies_minus_boto3() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = (ROOT / "layers/common/requirements.txt").read_text(encoding="utf-8")
    dependencies = [d for d in pyproject["project"]["dependencies"] if not d.startswith("boto3")]

    layer_lines = [line for line in requirements.splitlines() if not line.startswith("#")]

    assert normalised_requirements(layer_lines) == normalised_requirements(dependencies)


def award_rule(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"]["AwardFunction"]["Properties"]
    return properties["Events"]["AwardRequested"]["Properties"]


@pytest.mark.parametrize(
    ("trusted", "sources"),
    [
        ("", ["questline"]),
        ("billing.prizes", ["questline", "billing.prizes"]),
        ("a, b", ["questline", "a", "b"]),
    ],
)
def test_given_the_award_rule_then_it_matches_only_questline_and_the_trusted_sources(
    template, trusted, sources
) -> None:
    from questline_local.intrinsics import parameter_values, resolve

    values = parameter_values(template, {"TrustedAwardSources": trusted})
    pattern = resolve(award_rule(template)["Pattern"], template, values)

    assert pattern == {"detail-type": ["AwardRequested"], "source": sources}


def test_given_the_award_function_then_it_is_told_the_same_trusted_sources(template) -> None:
    parameter = template["Parameters"]["TrustedAwardSources"]
    variables = template["Resources"]["AwardFunction"]["Properties"]["Environment"]["Variables"]

    assert (parameter["Type"], parameter["Default"]) == ("CommaDelimitedList", "")
    assert variables["TRUSTED_AWARD_SOURCES"] == {"Fn::Join": [",", {"Ref": "TrustedAwardSources"}]}


def test_given_the_bus_then_only_questline_functions_may_put_source_questline(template) -> None:
    [policy] = resources_of_type(template, "AWS::Events::EventBusPolicy").values()
    statement = policy["Properties"]["Statement"]
    publishers = {
        f"{logical_id}Role"
        for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items()
        if any(
            "events:PutEvents" in as_list(s["Action"])
            and any(r == "*" or getatt_target(r) == "EventBus" for r in as_list(s["Resource"]))
            for s in policy_statements(function)
        )
    }

    assert policy["Properties"]["EventBusName"] == {"Ref": "EventBus"}
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == (
        "Deny",
        "*",
        "events:PutEvents",
    )
    assert getatt_target(statement["Resource"]) == "EventBus"
    assert statement["Condition"]["StringEquals"] == {"events:source": "questline"}
    allowed = statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    # Every function that publishes is excepted (a new one left out could not publish), no other.
    assert {getatt_target(arn) for arn in allowed} == publishers
    assert {"ProgressFunctionRole", "AwardFunctionRole", "LeaderboardFunctionRole"} <= publishers
    for role in publishers:  # SAM's generated roles: a function with a Role of its own would differ
        assert "Role" not in template["Resources"][role.removesuffix("Role")]["Properties"]


def test_given_functions_then_they_run_on_the_python_the_project_supports(template) -> None:
    runtime = template["Globals"]["Function"]["Runtime"]
    supported = tomllib.loads((TEMPLATE_PATH.parent / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]

    assert runtime == "python3.11"
    assert supported == ">=3.11"

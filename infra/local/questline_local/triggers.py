"""The template's triggers besides HTTP and the ingest queue, read from template.yaml.

moto keeps EventBridge rules but never fires a schedule and never invokes a Lambda target, so:
- a function's ``Schedule`` events become local schedules (see :mod:`questline_local.scheduler`);
- a function's ``EventBridgeRule`` events become a rule on the local bus, with the template's
  pattern evaluated for this run's parameters (:mod:`questline_local.intrinsics`), that targets
  a queue of its own, which :class:`BusDispatcher` drains, invoking the function with each EventBridge
  event. A failed invocation is retried; after the event's MaximumRetryAttempts the queue's
  redrive policy moves it to the event's dead-letter queue, as EventBridge would;
- an ``AWS::Events::Rule`` whose targets are the template's queues is created as it is (the
  rule that forwards upstream events from the bus to the ingest queue).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from questline_local.background import Background
from questline_local.intrinsics import parameter_values, resolve
from questline_local.lambda_shim import LocalContext
from questline_local.poller import Handler

logger = logging.getLogger("questline_local.triggers")


@dataclass(frozen=True)
class ScheduledCall:
    function: str  # the directory under functions/
    name: str  # the template's event name, e.g. "Sweep"
    payload: dict[str, Any] | None  # the schedule's constant Input; None: the scheduled event


@dataclass(frozen=True)
class BusTrigger:
    function: str
    name: str
    pattern: dict[str, Any]
    dead_letter_queue: str | None  # logical id of the event's DeadLetterConfig queue
    attempts: int  # the first delivery and MaximumRetryAttempts retries


def function_triggers(
    template: dict[str, Any], parameters: Mapping[str, str] | None = None
) -> tuple[list[ScheduledCall], list[BusTrigger]]:
    """Every function's Schedule and EventBridgeRule events; rule patterns are evaluated with
    ``parameters`` (template parameter values; the defaults for any not given)."""
    values = parameter_values(template, parameters)
    schedules: list[ScheduledCall] = []
    bus: list[BusTrigger] = []
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        function = PurePosixPath(resource["Properties"]["CodeUri"]).name  # functions/<name>/
        for name, event in resource["Properties"].get("Events", {}).items():
            props = event.get("Properties", {})
            if event["Type"] == "Schedule":
                payload = json.loads(props["Input"]) if "Input" in props else None
                schedules.append(ScheduledCall(function, name, payload))
            elif event["Type"] == "EventBridgeRule":
                retries = props.get("RetryPolicy", {}).get("MaximumRetryAttempts", 2)
                dlq = _queue_id(props.get("DeadLetterConfig", {}).get("Arn"))
                pattern = resolve(props["Pattern"], template, values)
                bus.append(BusTrigger(function, name, pattern, dlq, retries + 1))
    return schedules, bus


def create_queue_rules(events: Any, sqs: Any, template: dict[str, Any], bus: str, prefix: str) -> list[str]:
    """Create the template's rules that target its queues; returns their names."""
    created = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Events::Rule":
            continue
        props = resource["Properties"]
        targets = [
            {"Id": t["Id"], "Arn": _queue_arn(sqs, prefix, _queue_id(t["Arn"]))} for t in props["Targets"]
        ]
        name = f"{prefix}-{logical_id}"
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(props["EventPattern"]))
        events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
        created.append(name)
    return created


def create_bus_trigger(events: Any, sqs: Any, trigger: BusTrigger, bus: str, prefix: str) -> str:
    """A rule on the bus for ``trigger``, targeting a queue of its own; returns the queue's URL."""
    name = f"{prefix}-{trigger.function}-{trigger.name}"
    attributes = {"VisibilityTimeout": "30"}
    if trigger.dead_letter_queue:
        target = _queue_arn(sqs, prefix, trigger.dead_letter_queue)
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": target, "maxReceiveCount": trigger.attempts}
        )
    url = str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(trigger.pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "local", "Arn": arn}])
    return url


class BusDispatcher(Background):
    """Invokes functions with the events their rules caught (one event per invocation)."""

    def __init__(self, sqs: Any, routes: dict[str, tuple[str, Handler]], *, retry_delay: int = 2) -> None:
        self.sqs = sqs
        self.routes = routes  # queue URL -> (function name, handler)
        self.retry_delay = retry_delay
        super().__init__("bus-dispatcher")

    def _run(self) -> None:
        while not self._stopping.is_set():
            delivered = sum(self.dispatch(url) for url in self.routes)
            if not delivered:
                self._stopping.wait(0.5)

    def dispatch(self, queue_url: str) -> int:
        """Deliver what waits on one trigger queue; returns how many events were handed over."""
        function, handler = self.routes[queue_url]
        messages = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            try:
                handler(json.loads(message["Body"]), LocalContext(f"questline-local-{function}"))
            except Exception:
                logger.exception("%s failed on a bus event; it will be retried", function)
                self.sqs.change_message_visibility(
                    QueueUrl=queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self.retry_delay,
                )
                continue
            self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)


def _queue_id(arn: Any) -> str | None:
    """``!GetAtt Queue.Arn`` -> ``Queue``."""
    match arn:
        case {"Fn::GetAtt": [str(logical_id), "Arn"]}:
            return logical_id
        case None:
            return None
    raise ValueError(f"expected !GetAtt <queue>.Arn, got {arn!r}")


def _queue_arn(sqs: Any, prefix: str, logical_id: str | None) -> str:
    # resources.create_resources names each template queue "<prefix>-<logical id>".
    url = sqs.get_queue_url(QueueName=f"{prefix}-{logical_id}")["QueueUrl"]
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])

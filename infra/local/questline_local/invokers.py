"""What invokes the functions locally, as Lambda's triggers would: the ingest queue's poller, the
schedules, and the bus rules that target functions, all read from template.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

from questline_local.aws_local import REGION, LocalAws
from questline_local.lambda_shim import load_function
from questline_local.poller import Handler, PollerSettings, QueuePoller
from questline_local.scheduler import Schedule
from questline_local.triggers import BusDispatcher, create_bus_trigger, create_queue_rules, function_triggers


def start_invokers(
    aws: LocalAws,
    template: dict[str, Any],
    stack: ExitStack,
    *,
    poller: PollerSettings,
    schedule_interval: float,
    parameters: Mapping[str, str] | None = None,
) -> list[str]:
    """Start every invoker (each stopped by ``stack``); returns one line per trigger, for people.
    ``parameters`` are the template parameter values bus rule patterns are evaluated with."""
    handlers: dict[str, Handler] = {}

    def handler(function: str) -> Handler:
        if function not in handlers:
            handlers[function] = load_function(function).handler
        return handlers[function]

    resources, sqs, events = aws.resources, aws.client("sqs"), aws.client("events")
    # resources.create_resources names the template's queues after its table: "<table>-<id>".
    prefix, bus = resources.table_name, resources.event_bus_name
    ingest = QueuePoller(
        sqs,
        resources.ingest_queue_url,
        aws.ingest_queue_arn,
        handler("progress"),
        region=REGION,
        settings=poller,
    )
    ingest.start()
    stack.callback(ingest.stop)
    lines = [f"progress      <- ingest queue, batches of up to {poller.batch_size}"]
    lines += [
        f"ingest queue  <- bus rule {name}" for name in create_queue_rules(events, sqs, template, bus, prefix)
    ]

    schedules, bus_triggers = function_triggers(template, parameters)
    for call in schedules:
        name = f"{call.function}-{call.name}".lower()
        schedule = Schedule(
            handler(call.function), schedule_interval, name=name, payload=call.payload, region=REGION
        )
        schedule.start()
        stack.callback(schedule.stop)
        lines.append(f"{call.function:<13} <- schedule {call.name}, every {schedule_interval:g} s")

    routes = {}
    for trigger in bus_triggers:
        url = create_bus_trigger(events, sqs, trigger, bus, prefix)
        routes[url] = (trigger.function, handler(trigger.function))
        lines.append(f"{trigger.function:<13} <- bus rule {trigger.name}")
    if routes:
        dispatcher = BusDispatcher(sqs, routes)
        dispatcher.start()
        stack.callback(dispatcher.stop)
    return lines

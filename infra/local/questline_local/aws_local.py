"""Local AWS: moto's server in this process, the template's resources, and a tap on the bus.

The functions reach moto the way they reach AWS, through boto3, steered only by environment
variables (fake credentials and a region), so no code path is local-only. Two ways in:

- in process (the default): moto's ``mock_aws`` intercepts this process's boto3 calls and
  serves them from the same backends the server uses (moto keeps one set of backends per
  process, so a queue or table is one object whichever way it is reached). It halves the cost
  of every AWS call the functions make, the largest cost of a local run, and it means nothing in
  this process can reach real AWS whatever the shell's credentials.
- over HTTP (``--aws-over-http``): ``AWS_ENDPOINT_URL`` points the functions at the server, as
  it points every outside tool (tests, scripts, the AWS CLI).

Either way, every DynamoDB request is atomic, as in AWS (:mod:`questline_local.moto_atomic`): the
functions' conditional writes and transactions hold under concurrency.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws
from moto.server import ThreadedMotoServer

from questline_local import moto_atomic, moto_speedups
from questline_local.resources import LocalResources, create_resources

REGION = "us-east-1"
BUS_TAP_NAME = "questline-local-bus-tap"
# Fake credentials: whatever the shell holds, nothing from here may ever reach real AWS.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "questline-local",
    "AWS_SECRET_ACCESS_KEY": "questline-local",
    "AWS_SESSION_TOKEN": "questline-local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@dataclass
class LocalAws:
    server: ThreadedMotoServer
    endpoint: str
    resources: LocalResources
    ingest_queue_arn: str
    bus_tap_url: str
    in_process: Any = None  # the active mock_aws, when this process's calls stay in process

    def client(self, service: str) -> Any:
        """A boto3 client reaching moto the way this process's functions do."""
        endpoint = None if self.in_process else self.endpoint
        return boto3.session.Session().client(service, region_name=REGION, endpoint_url=endpoint)

    def stop(self) -> None:
        self.server.stop()
        if self.in_process is not None:
            self.in_process.stop()


def start_aws(host: str = "127.0.0.1", port: int = 0, *, over_http: bool = False) -> LocalAws:
    """Start moto's server (port 0: any free port), point this process at it, create resources."""
    # A profile or endpoint from the shell (AWS_ENDPOINT_URL_<SERVICE> too) would steer calls away.
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_CREDENTIALS)
    moto_atomic.install()  # in process and over HTTP: both reach moto's one request handler
    moto_speedups.install()
    in_process = None
    if not over_http:
        in_process = mock_aws()
        in_process.start()  # before the server: starting resets moto's backends
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    endpoint = f"http://{bound_host}:{bound_port}"
    if over_http:
        os.environ["AWS_ENDPOINT_URL"] = endpoint

    make_client = functools.partial(boto3.session.Session().client, region_name=REGION, endpoint_url=endpoint)
    resources = create_resources(make_client, suffix="local")
    sqs = make_client("sqs")
    ingest_arn = _queue_arn(sqs, resources.ingest_queue_url)
    tap_url = create_bus_tap(sqs, make_client("events"), resources.event_bus_name)
    return LocalAws(server, endpoint, resources, ingest_arn, tap_url, in_process)


def create_bus_tap(sqs: Any, events: Any, bus_name: str) -> str:
    """A queue receiving every domain event the bus carries (source ``questline``), so developers
    and tests can watch what the functions publish. Returns its URL."""
    url = sqs.create_queue(QueueName=BUS_TAP_NAME)["QueueUrl"]
    events.put_rule(
        Name=BUS_TAP_NAME,
        EventBusName=bus_name,
        EventPattern=json.dumps({"source": ["questline"]}),
        State="ENABLED",
    )
    events.put_targets(
        Rule=BUS_TAP_NAME,
        EventBusName=bus_name,
        Targets=[{"Id": "bus-tap", "Arn": _queue_arn(sqs, url)}],
    )
    return url


def _queue_arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attributes["QueueArn"])

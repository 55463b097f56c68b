"""What Lambda hands a function: the loaded entry point, a context, and real-shaped events.

Every function's entry point is a module called ``app`` in ``functions/<name>/``; each is loaded
by path under a name of its own, so one process can hold them all without touching sys.path.
"""

from __future__ import annotations

import base64
import importlib.util
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
ACCOUNT_ID = "123456789012"  # moto's default account


def load_function(name: str, root: Path = REPO_ROOT) -> ModuleType:
    """Import ``functions/<name>/app.py`` as module ``questline_function_<name>``."""
    path = root / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"questline_function_{name}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no function entry point at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class LocalContext:
    """The attributes of Lambda's context object that the functions and Powertools read."""

    function_name: str
    region: str = "us-east-1"
    memory_limit_in_mb: int = 1024
    timeout_ms: int = 30_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One ReceiveMessage result as Lambda's SQS event source mapping delivers it."""
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    # Lambda spells SQS's PascalCase attribute fields in camelCase and always lists both kinds.
    converted: dict[str, Any] = {
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        converted["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return converted

"""What ``questline-local run`` prints once it is up: where everything is and how to try it."""

from __future__ import annotations

import json
import shlex
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from questline_local.devauth import DEMO_USER, dev_token
from questline_local.lambda_shim import REPO_ROOT
from questline_local.state import LocalState

SAMPLE_FILE = REPO_ROOT / "events" / "http-post-events.json"
TOKEN_TTL_SECONDS = 24 * 3600


def sample_event(user_id: str, now: datetime, sample_file: Path = SAMPLE_FILE) -> dict[str, Any]:
    """The first event of the sample HTTP request (inline if absent), made fresh: a new id and
    the current time, since the sample's own timestamp falls out of the accepted window."""
    event: dict[str, Any] = {"type": "health.metric.recorded", "version": "1.0", "payload": {"steps": 3000}}
    try:
        body = json.loads(json.loads(sample_file.read_text("utf-8"))["body"])
        event = dict(body["events"][0])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass  # no usable sample: the inline event above
    timestamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {**event, "id": f"evt-{uuid.uuid4().hex[:12]}", "userId": user_id, "timestamp": timestamp}


def banner(
    state: LocalState, redis_source: str, state_file: Path, invokers: list[str], now: datetime | None = None
) -> str:
    """The start-up text: URLs, what invokes the functions, tokens and copy-paste commands."""
    now = now or datetime.now(UTC)
    service = dev_token("local-service", ["service"], TOKEN_TTL_SECONDS, state.secret)
    user = dev_token(DEMO_USER, ["user"], TOKEN_TTL_SECONDS, state.secret)
    body = json.dumps({"events": [sample_event(DEMO_USER, now)]}, separators=(",", ":"))
    api = state.api_url
    return "\n".join(
        [
            "",
            "Questline is running locally.",
            f"  API            {api}",
            f"  API docs       {state.docs_url}",
            f"  AWS (moto)     {state.aws_endpoint}   region {state.region}",
            f"  ingest queue   {state.ingest_queue_url}",
            f"  dead letters   {state.dead_letter_queue_url}",
            f"  bus tap        {state.bus_tap_url}   (every domain event on the bus)",
            f"  Redis          {state.redis_url}   ({redis_source}, keys under {state.redis_key_prefix})",
            f"  state file     {state_file}",
            "",
            "Functions invoked locally (HTTP routes: see the docs):",
            *(f"  {line}" for line in invokers),
            "",
            f"Tokens, valid {TOKEN_TTL_SECONDS // 3600} h (more: questline-local token --sub ID):",
            f"  export QL_SERVICE_TOKEN={service}",
            f"  export QL_USER_TOKEN={user}   # user {DEMO_USER}",
            "",
            "Send an event, then read the profile:",
            f'  curl -s -X POST {api}/v1/events -H "Authorization: Bearer $QL_SERVICE_TOKEN" '
            f"-H 'Content-Type: application/json' -d {shlex.quote(body)}",
            f'  curl -s {api}/v1/users/me/profile -H "Authorization: Bearer $QL_USER_TOKEN"',
            "",
            "Load test: questline-local demo --events 10000 --users 100      Stop: Ctrl-C",
            "",
        ]
    )

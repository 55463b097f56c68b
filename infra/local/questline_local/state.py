"""The state file: where a running local system can be found (URLs, queues, secret).

``questline-local run`` writes it once everything is up and removes it on a clean stop; tests,
``questline-local demo`` and shell scripts read it instead of guessing ports.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

DEFAULT_STATE_FILE = ".questline-local.json"


@dataclass(frozen=True)
class LocalState:
    api_url: str
    aws_endpoint: str
    region: str
    redis_url: str
    redis_key_prefix: str
    secret: str
    table_name: str
    ingest_queue_url: str
    dead_letter_queue_url: str
    schedule_dead_letter_queue_url: str
    event_bus_name: str
    bus_tap_url: str
    catalog_path: str | None
    pid: int

    @property
    def docs_url(self) -> str:
        return f"{self.api_url}/docs"

    def env(self) -> dict[str, str]:
        """Environment variables for tools that talk to this system (``export`` them in a shell)."""
        return {
            "QUESTLINE_API_URL": self.api_url,
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_DEFAULT_REGION": self.region,
            "TABLE_NAME": self.table_name,
            "INGEST_QUEUE_URL": self.ingest_queue_url,
            "DEAD_LETTER_QUEUE_URL": self.dead_letter_queue_url,
            "EVENT_BUS_NAME": self.event_bus_name,
            "QUESTLINE_BUS_TAP_URL": self.bus_tap_url,
            "REDIS_URL": self.redis_url,
            "REDIS_KEY_PREFIX": self.redis_key_prefix,
            "LOCAL_JWT_SECRET": self.secret,
        }


def write_state(path: Path, state: LocalState) -> None:
    """Write atomically, so a reader never sees half a file."""
    document = {**asdict(state), "docs_url": state.docs_url, "env": state.env()}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def read_state(path: Path) -> dict[str, Any] | None:
    """The state of a running system, or None when the file is absent."""
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return document


def remove_state(path: Path) -> None:
    """Remove the file if this process wrote it (another run may have replaced it since)."""
    document = read_state(path)
    if document is not None and document.get("pid") == os.getpid():
        path.unlink(missing_ok=True)

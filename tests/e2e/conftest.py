"""The local system, started once for the e2e session as its users start it: a subprocess of
``questline-local run`` on free ports, found through its state file, stopped at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from questline_local.devauth import dev_token
from questline_local.redis_local import clear_prefix

START_TIMEOUT = 45  # seconds; a cold start (imports, moto, Redis) takes 5-10
POLL_TIMEOUT = 20  # seconds for the system to process what a test gave it
TRUSTED_AWARD_SOURCE = "e2e.prizes"  # the session's system trusts it to request awards on the bus


@dataclass(frozen=True)
class LocalSystem:
    state: dict[str, Any]

    @property
    def api_url(self) -> str:
        return str(self.state["api_url"])

    def token(self, subject: str, *roles: str) -> str:
        return dev_token(subject, list(roles) or ["user"], 600, self.state["secret"])

    def http(self, subject: str, *roles: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(subject, *roles)}"}
        return httpx.Client(base_url=self.api_url, headers=headers, timeout=10)

    def aws(self, service: str) -> Any:
        """A boto3 client against the system's moto endpoint, with fake credentials."""
        return boto3.session.Session(
            aws_access_key_id="e2e", aws_secret_access_key="e2e", region_name=self.state["region"]
        ).client(service, endpoint_url=self.state["aws_endpoint"])


@contextmanager
def running_system(workdir: Path, *extra: str) -> Iterator[LocalSystem]:
    """``questline-local run`` in a subprocess on free ports, with its own Redis key prefix."""
    state_file, log_file = workdir / "state.json", workdir / "questline-local.log"
    command = [sys.executable, "-m", "questline_local", "run", "--port", "0", "--aws-port", "0"]
    command += ["--state-file", str(state_file), "--log-level", "warning", "--batch-window", "0.2"]
    prefix = f"ql:e2e:{uuid.uuid4().hex[:8]}:"  # its own keys in a shared Redis, removed after
    command += ["--redis-key-prefix", prefix, *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "LOCAL_JWT_SECRET"}
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    state: dict[str, Any] = {}
    try:
        state = _wait_until_ready(process, state_file, log_file)
        yield LocalSystem(state)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if state.get("redis_url", "").startswith("redis://"):  # an embedded one is gone already
            clear_prefix(state["redis_url"], prefix)


@pytest.fixture(scope="session")
def local_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSystem]:
    workdir = tmp_path_factory.mktemp("questline-local")
    with running_system(workdir, "--trusted-award-sources", TRUSTED_AWARD_SOURCE) as system:
        yield system


def _wait_until_ready(process: subprocess.Popen[bytes], state_file: Path, log_file: Path) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"questline-local exited with {process.returncode}:\n{log_file.read_text()[-3000:]}")
        if state_file.exists():
            state = json.loads(state_file.read_text())
            try:
                if httpx.get(f"{state['api_url']}/openapi.json", timeout=2).status_code == 200:
                    return state
            except httpx.TransportError:
                pass  # the API is not accepting connections yet
        time.sleep(0.2)
    pytest.fail(f"questline-local not ready in {START_TIMEOUT} s:\n{log_file.read_text()[-3000:]}")


def eventually(check: Callable[[], Any], timeout: float = POLL_TIMEOUT, interval: float = 0.2) -> Any:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"still {result!r} after {timeout} s")
        time.sleep(interval)


def new_user() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def event(user_id: str, event_type: str = "health.metric.recorded", **payload: Any) -> dict[str, Any]:
    """A valid event, happening now."""
    return {
        "id": f"evt-{uuid.uuid4().hex}",
        "type": event_type,
        "userId": user_id,
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": "1.0",
        "payload": payload or {"steps": 1200},
    }

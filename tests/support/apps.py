"""Serve an app on a test's runtime through FastAPI's dependency overrides."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from questline.services.runtime import Runtime, get_runtime


def serving(app: FastAPI, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """``app`` with its runtime dependency resolved to ``runtime`` for this test. The override is
    undone after the test: a function's app is loaded once per module and serves the next test's
    runtime."""
    monkeypatch.setitem(app.dependency_overrides, get_runtime, lambda: runtime)
    return app

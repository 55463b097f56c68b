"""Cold start: each function imports only what its own path needs (checked in a fresh process)."""

import json
import subprocess
import sys

import pytest

from tests.support.functions import ROOT


def modules_after_import(function: str) -> set[str]:
    code = (
        "import importlib.util, json, sys\n"
        f"path = r'{ROOT / 'functions' / function / 'app.py'}'\n"
        "spec = importlib.util.spec_from_file_location('app', path)\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("function", ["progress", "expiry"])
def test_queue_and_schedule_functions_never_import_the_http_stack(function):
    loaded = modules_after_import(function)
    assert not {"fastapi", "starlette", "mangum", "jwt"} & loaded


def test_the_ingest_function_imports_neither_dynamodb_nor_redis_code():
    loaded = modules_after_import("ingest")
    assert not {"redis", "boto3.dynamodb", "questline.storage.users", "yaml"} & loaded


@pytest.mark.parametrize(
    "function", ["progress", "ingest", "profile", "expiry", "award", "catalog", "leaderboard"]
)
def test_no_function_imports_the_xray_sdk(function):
    assert "aws_xray_sdk" not in modules_after_import(function)

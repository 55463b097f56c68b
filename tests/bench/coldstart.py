"""Cold start: each function module's import time in a fresh interpreter, beside the import time
of its third-party dependencies alone; the difference is the project's own code.

The dependencies are not listed by hand: the child that imports a function reports every module
the import loaded, and the third-party ones (neither standard library nor this project) are then
imported alone, in the same order, in other fresh interpreters. Times are CPU (process_time) in
the child, so a busy neighbour on the machine moves them less than wall time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tests.bench.report import heading, table

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ["progress", "ingest", "profile", "expiry"]
FIRST_PARTY = {"questline", "questline_local", "app"}

# Runs in the fresh interpreter: time one import, report what it loaded.
_CHILD = """
import importlib, importlib.util, json, sys, time
mode, target = sys.argv[1], sys.argv[2]
before = set(sys.modules)
failed = []
cpu, wall = time.process_time(), time.perf_counter()
if mode == "function":
    spec = importlib.util.spec_from_file_location("app", target)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
else:
    for name in json.loads(target):
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
loaded = [name for name in sys.modules if name not in before]
print(json.dumps({"cpu": cpu, "wall": wall, "loaded": loaded, "failed": failed}))
"""


@dataclass(frozen=True)
class Sample:
    cpu_ms: float
    wall_ms: float
    loaded: list[str]
    failed: list[str]


def run(quick: bool = False) -> str:
    runs = 3 if quick else 5
    rows, packages, notes = [], [], []
    for name in FUNCTIONS:
        path = ROOT / "functions" / name / "app.py"
        module = [_child("function", str(path)) for _ in range(runs)]
        deps = third_party(module[0].loaded)
        alone = [_child("deps", json.dumps(deps)) for _ in range(runs)]
        module_ms = statistics.median(s.cpu_ms for s in module)
        deps_ms = statistics.median(s.cpu_ms for s in alone)
        wall_ms = statistics.median(s.wall_ms for s in module)
        rows.append(
            [name, f"{module_ms:,.0f}", f"{deps_ms:,.0f}", f"{module_ms - deps_ms:,.0f}", f"{wall_ms:,.0f}"]
        )
        tops = sorted({d.split(".")[0] for d in deps})
        packages.append(f"{name}: " + ", ".join(tops))
        if alone[0].failed:
            notes.append(f"{name}: not importable alone, skipped: {', '.join(alone[0].failed)}")
    listing = "\n".join(textwrap.fill(p, 100, subsequent_indent="    ") for p in packages)
    return "\n".join(
        [
            heading("coldstart: module import, fresh interpreter per run"),
            f"CPU ms in the child (median of {runs}); own code = module - dependencies alone.",
            "",
            table(
                ["function", "module import ms", "dependencies alone ms", "own code ms", "module wall ms"],
                rows,
            ),
            "",
            "Third-party packages each module loads at import (derived, not listed by hand):",
            listing,
            *notes,
        ]
    )


def third_party(loaded: list[str]) -> list[str]:
    """Modules of installed packages, in load order: not the standard library, not ours.
    Underscored top-level names are aliases (``__mp_main__``), platform-named standard modules
    (``_sysconfigdata_*``) or extension modules that their own package imports anyway."""
    return [
        name
        for name in loaded
        if (top := name.split(".")[0]) not in sys.stdlib_module_names
        and top not in FIRST_PARTY
        and not top.startswith("_")
    ]


def _child(mode: str, target: str) -> Sample:
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, target],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(data["cpu"] * 1000, data["wall"] * 1000, data["loaded"], data["failed"])

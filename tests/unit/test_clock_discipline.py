"""The injected clock is the only clock: nothing in the layer reads the wall clock behind it.

Durations (``time.monotonic``, ``time.perf_counter``) are allowed: they measure how long
something took, never which instant it is. The one wall-clock read is the runtime's default
clock, which every process injects. Redis is told expiries only as times to live computed from
the injected clock, never as absolute instants it would judge by its own clock.
"""

from __future__ import annotations

import ast
from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "common" / "questline"
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}
ALLOWED = {("services/runtime.py", "utc_now")}  # the default injected clock
ABSOLUTE_REDIS_EXPIRY = ("EXPIREAT", "PEXPIREAT", "expireat(", "pexpireat(", "'TIME'", '"TIME"')


def wall_clock_reads(path: Path, root: Path = LAYER) -> list[tuple[str, int]]:
    """(function, line) of every wall-clock read in the module at ``path``."""
    tree = ast.parse(path.read_text())
    found: list[tuple[str, int]] = []
    for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
        if (path.relative_to(root).as_posix(), func.name) in ALLOWED:
            continue
        for node in ast.walk(func):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in WALL_CLOCK_CALLS
            ):
                found.append((func.name, node.lineno))
    return found


def test_no_module_of_the_layer_reads_the_wall_clock():
    offenders = {
        str(path.relative_to(LAYER)): reads
        for path in sorted(LAYER.rglob("*.py"))
        if (reads := wall_clock_reads(path))
    }

    assert offenders == {}


def test_the_checker_finds_a_wall_clock_read(tmp_path):
    sneaky = tmp_path / "services" / "sneaky.py"
    sneaky.parent.mkdir()
    sneaky.write_text(
        "import time\nfrom datetime import datetime\n\ndef f():\n    return time.time(), datetime.now()\n"
    )

    assert wall_clock_reads(sneaky, root=tmp_path) == [("f", 5), ("f", 5)]


def test_redis_is_never_given_an_absolute_expiry():
    offenders = [
        (str(path.relative_to(LAYER)), word)
        for path in sorted((LAYER / "storage").rglob("*.py"))
        for word in ABSOLUTE_REDIS_EXPIRY
        if word in path.read_text()
    ]

    assert offenders == []

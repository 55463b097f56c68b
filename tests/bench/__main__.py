"""``python -m tests.bench [--quick] [section ...]``: run the benchmarks, print one report.

Sections: decide (pure decide step), cost (AWS calls, request units and USD per million events
through the progress handler against moto and Redis), coldstart (import time of each function),
leaderboard (top-N and around-me latency, and rebuild time, on a 1,000,000-member board in Redis),
expiry (deadlines visited per second by the expiry job).
Run on demand (``make bench``); nothing here is a test, and no figure is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from tests.bench import coldstart, cost, decide, expiry, leaderboard

SECTIONS: dict[str, Callable[[bool], str]] = {
    "decide": decide.run,
    "cost": cost.run,
    "coldstart": coldstart.run,
    "leaderboard": leaderboard.run,
    "expiry": expiry.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", help=f"any of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller workloads, fewer runs")
    args = parser.parse_args(argv)
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    chosen = args.sections or list(SECTIONS)

    print(
        f"Questline benchmarks{' (--quick)' if args.quick else ''}: "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    started = time.perf_counter()
    for name in chosen:
        section_started = time.perf_counter()
        print(SECTIONS[name](args.quick), flush=True)
        print(f"({name}: {time.perf_counter() - section_started:.0f} s)")
    print(f"\nTotal: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

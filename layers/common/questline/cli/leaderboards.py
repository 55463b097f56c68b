"""``questline-leaderboards``: operate the leaderboards from a terminal.

    questline-leaderboards rebuild      # repopulate Redis from DynamoDB, printing progress
    questline-leaderboards reconcile    # compare Redis with DynamoDB; exit 1 on drift
    questline-leaderboards maintain     # what the schedule runs: close due periods, rebuild if needed

They use TABLE_NAME, REDIS_URL and REDIS_KEY_PREFIX like the functions (boto3 honours
AWS_ENDPOINT_URL, so they work against the local system too). A rebuild is safe beside live
traffic and safe to interrupt: run it again.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from questline.errors import QuestlineError
from questline.services.leaderboards.maintenance import maintain, rebuild, reconcile
from questline.services.runtime import Runtime, get_runtime


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 1 on drift or failure, 2 on bad usage."""
    parser = argparse.ArgumentParser(prog="questline-leaderboards", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["rebuild", "reconcile", "maintain"])
    args = parser.parse_args(argv)
    try:
        return _run(args.command, get_runtime())
    except (QuestlineError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(command: str, runtime: Runtime) -> int:
    if command == "rebuild":
        report = rebuild(runtime, lambda line: print(line, flush=True))
        if report.skipped:
            print("another rebuild is running; nothing done")
            return 1
        print(f"{report.members} members in {report.periods} board periods, {report.seconds:.1f} s")
        if report.error:
            print(f"error: {report.error}", file=sys.stderr)
        return 0 if report.ready else 1
    if command == "reconcile":
        drift = reconcile(runtime)
        print(json.dumps(drift.model_dump(mode="json", by_alias=True), indent=2))
        return 1 if drift.drifted else 0
    result = maintain(runtime)
    rebuilt = vars(result.rebuild) if result.rebuild else None
    print(json.dumps({"closed": result.closed, "rebuild": rebuilt}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

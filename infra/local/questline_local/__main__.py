"""``questline-local``: run Questline on this machine, mint development tokens, load it.

    questline-local [run] [--host H] [--port P] [--aws-port P] [--catalog PATH] [--state-file F]
    questline-local token --sub USER [--roles user|service|admin[,...]] [--ttl SECONDS]
    questline-local demo [--events N] [--users U] [--url URL]

``run`` is the default: ``questline-local --port 9000`` is ``questline-local run --port 9000``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from questline_local.devauth import ROLE_NAMES, dev_token, parse_roles
from questline_local.state import DEFAULT_STATE_FILE, read_state

DEFAULT_API_URL = "http://127.0.0.1:8000"
COMMANDS = ("run", "token", "demo")
DESCRIPTION = "Run Questline on this machine (no AWS account, no Docker), mint tokens, load it."


def parser() -> argparse.ArgumentParser:
    """The command line: ``run``, ``token`` and ``demo``."""
    root = argparse.ArgumentParser(prog="questline-local", description=DESCRIPTION)
    commands = root.add_subparsers(dest="command")

    run = commands.add_parser("run", help="start the whole system (the default)")
    run.add_argument("--host", default="127.0.0.1", help="address of the HTTP API (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8000, help="port of the HTTP API (0: any free port)")
    run.add_argument("--aws-port", type=int, default=0, help="port of moto's server (0: any free port)")
    run.add_argument("--catalog", help="catalog bundle (default: the demo catalog)")
    run.add_argument(
        "--state-file", type=Path, default=Path(DEFAULT_STATE_FILE), help="where to write URLs and names"
    )
    run.add_argument("--schedule-interval", type=float, default=60.0, help="seconds between expiry sweeps")
    run.add_argument(
        "--batch-size", type=int, default=100, help="ingest batch size (Lambda allows up to 10000)"
    )
    run.add_argument("--batch-window", type=float, default=0.5, help="seconds to fill an ingest batch")
    run.add_argument("--log-level", default="info", help="uvicorn's log level")
    run.add_argument(
        "--redis-key-prefix", default="ql:local:", help="Redis keys of this run (cleared at start)"
    )
    run.add_argument(
        "--trusted-award-sources",
        default="",
        help="comma-separated bus sources besides questline that may request awards (default: none)",
    )
    run.add_argument(
        "--aws-over-http",
        action="store_true",
        help="functions call moto over HTTP, like outside tools (slower; default: in process)",
    )

    token = commands.add_parser("token", help="print a development token")
    token.add_argument("--sub", required=True, help="the user (or service) id")
    token.add_argument("--roles", default="user", help=f"comma-separated, among {', '.join(ROLE_NAMES)}")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")

    demo = commands.add_parser("demo", help="post demo events over HTTP and time them end to end")
    demo.add_argument("--events", type=int, default=1000)
    demo.add_argument("--users", type=int, default=10)
    demo.add_argument("--url", help=f"API URL (default: from {DEFAULT_STATE_FILE}, else {DEFAULT_API_URL})")
    demo.add_argument("--timeout", type=float, default=600, help="seconds to wait for every profile")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``questline-local`` script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in (*COMMANDS, "-h", "--help"):
        arguments.insert(0, "run")
    args = parser().parse_args(arguments)
    if args.command == "token":
        try:
            print(dev_token(args.sub, parse_roles(args.roles), args.ttl))
        except ValueError as exc:
            print(f"questline-local token: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "demo":
        from questline_local.demo import report, run_demo

        state = read_state(Path(DEFAULT_STATE_FILE)) or {}
        url = args.url or state.get("api_url") or DEFAULT_API_URL
        result = run_demo(
            url,
            args.events,
            args.users,
            catalog_path=state.get("catalog_path"),
            secret=state.get("secret"),
            timeout=args.timeout,
        )
        print(report(result))
        return 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from questline_local.poller import PollerSettings
    from questline_local.system import RunOptions, run

    options = RunOptions(
        host=args.host,
        port=args.port,
        aws_port=args.aws_port,
        catalog=args.catalog,
        state_file=args.state_file,
        schedule_interval=args.schedule_interval,
        poller=PollerSettings(batch_size=args.batch_size, batching_window=args.batch_window),
        log_level=args.log_level,
        aws_over_http=args.aws_over_http,
        redis_key_prefix=args.redis_key_prefix,
        trusted_award_sources=tuple(s.strip() for s in args.trusted_award_sources.split(",") if s.strip()),
    )
    try:
        return run(options)
    except KeyboardInterrupt:
        print("questline-local: stopped", file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""``questline-local run``: the whole system in one process, with no AWS account and no Docker.

Redis (a real server), moto's server (DynamoDB, SQS, EventBridge) with the template's
resources, the ingest queue's poller driving the progress function, the expiry schedule, and
the HTTP API with its docs, served by uvicorn until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from questline_local.aws_local import REGION, LocalAws, start_aws
from questline_local.banner import banner
from questline_local.clock import CLOCK
from questline_local.devauth import dev_secret
from questline_local.invokers import start_invokers
from questline_local.poller import PollerSettings
from questline_local.redis_local import LocalRedis, clear_prefix, find_or_start_redis
from questline_local.resources import load_template
from questline_local.state import DEFAULT_STATE_FILE, LocalState, remove_state, write_state

DEFAULT_REDIS_KEY_PREFIX = "ql:local:"
logger = logging.getLogger("questline_local.system")


@dataclass(frozen=True)
class RunOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    aws_port: int = 0
    catalog: str | None = None
    state_file: Path = Path(DEFAULT_STATE_FILE)
    schedule_interval: float = 60.0
    poller: PollerSettings = field(default_factory=PollerSettings)
    aws_over_http: bool = False
    redis_key_prefix: str = DEFAULT_REDIS_KEY_PREFIX
    log_level: str = "info"
    # Bus sources besides "questline" that may request awards (the TrustedAwardSources parameter).
    trusted_award_sources: tuple[str, ...] = ()


def run(options: RunOptions) -> int:
    """Start everything, serve until interrupted, stop everything; returns an exit code."""
    signal.signal(signal.SIGTERM, _interrupt)  # clean up (embedded Redis) even before uvicorn runs
    # The poller's and schedule's own messages; the functions log JSON through Powertools.
    logging.basicConfig(format="%(levelname)s:     %(name)s: %(message)s", level=logging.WARNING)
    logging.getLogger("questline_local").setLevel(logging.INFO)
    # moto's server logs every AWS call; the API's access log is what a developer reads.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with ExitStack() as stack:
        listener = bind(options.host, options.port)  # first: a taken port fails before anything starts
        stack.callback(listener.close)
        redis = find_or_start_redis()
        stack.callback(redis.stop)
        clear_prefix(redis.url, options.redis_key_prefix)
        aws = start_aws(port=options.aws_port, over_http=options.aws_over_http)
        stack.callback(aws.stop)
        secret = dev_secret()
        configure_functions(
            aws,
            redis,
            options.redis_key_prefix,
            secret,
            options.catalog,
            trusted_award_sources=options.trusted_award_sources,
        )
        prepare_boards()

        invokers = start_invokers(
            aws,
            load_template(),
            stack,
            poller=options.poller,
            schedule_interval=options.schedule_interval,
            parameters={"TrustedAwardSources": ",".join(options.trusted_award_sources)},
        )

        state = _state(aws, redis, options, secret, listener)
        write_state(options.state_file, state)
        stack.callback(remove_state, options.state_file)
        print(banner(state, redis.source, options.state_file.resolve(), invokers), flush=True)
        serve(listener, options.log_level)
    return 0


def configure_functions(
    aws: LocalAws,
    redis: LocalRedis,
    redis_key_prefix: str,
    secret: str,
    catalog: str | None,
    *,
    trusted_award_sources: tuple[str, ...] = (),
) -> None:
    """Give the functions the environment Lambda would, then drop anything cached before it."""
    os.environ.update(aws.resources.env())
    os.environ.update(
        {
            "REDIS_URL": redis.url,
            "REDIS_KEY_PREFIX": redis_key_prefix,
            "AUTH_MODE": "local",
            "LOCAL_JWT_SECRET": secret,
            # The same list the award rule's pattern is evaluated with, as the template passes it.
            "TRUSTED_AWARD_SOURCES": ",".join(trusted_award_sources),
        }
    )
    if catalog:
        os.environ["CATALOG_PATH"] = str(Path(catalog).resolve())
    # One metrics blob per batch would drown the terminal; set it to "false" to see them.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    from questline.config import get_settings
    from questline.services.runtime import get_runtime
    from questline.storage.aws import reset_clients

    get_settings.cache_clear()
    get_runtime.cache_clear()
    reset_clients()
    # Every function in this process reads time from the local clock (PUT /_local/clock).
    get_runtime().clock = CLOCK


def prepare_boards() -> None:
    """Rebuild Redis from the table before serving. The table starts empty, so the rebuild is
    instant and marks Redis ready: leaderboard reads are exact from the first request instead of
    degraded (redis-not-ready) until the first schedule run."""
    from questline.services.leaderboards.maintenance import rebuild
    from questline.services.runtime import get_runtime

    report = rebuild(get_runtime())
    if not report.ready:
        reason = report.error or "another rebuild holds the lock"
        logger.warning("Redis not ready at start (%s): leaderboard reads degrade until a rebuild", reason)


def bind(host: str, port: int) -> socket.socket:
    """The API's listening socket, bound before start-up so port 0 resolves to a known port."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        message = f"questline-local: cannot listen on {host}:{port} ({exc.strerror}); try --port 0"
        raise SystemExit(message) from exc
    listener.listen(128)
    return listener


def serve(listener: socket.socket, log_level: str) -> None:
    """Serve the composed API until Ctrl-C or SIGTERM (uvicorn handles both)."""
    import uvicorn

    from questline.http.app import local_app
    from questline_local import dev_api

    app = local_app()
    app.include_router(dev_api.router)
    config = uvicorn.Config(app, log_level=log_level, lifespan="off")
    uvicorn.Server(config).run(sockets=[listener])


def _state(
    aws: LocalAws, redis: LocalRedis, options: RunOptions, secret: str, listener: socket.socket
) -> LocalState:
    host, port = listener.getsockname()[:2]
    api_host = f"[{host}]" if ":" in host else host
    resources = aws.resources
    return LocalState(
        api_url=f"http://{api_host}:{port}",
        aws_endpoint=aws.endpoint,
        region=REGION,
        redis_url=redis.url,
        redis_key_prefix=options.redis_key_prefix,
        secret=secret,
        table_name=resources.table_name,
        ingest_queue_url=resources.ingest_queue_url,
        dead_letter_queue_url=resources.dead_letter_queue_url,
        schedule_dead_letter_queue_url=resources.schedule_dead_letter_queue_url,
        event_bus_name=resources.event_bus_name,
        bus_tap_url=aws.bus_tap_url,
        catalog_path=str(Path(options.catalog).resolve()) if options.catalog else None,
        pid=os.getpid(),
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt

"""Model-based: random interleavings of score changes, duplicate deliveries, concurrent workers
mirroring out of order, delayed (stale) mirror writes, exclusions, rebuilds and flushes.

Whenever Redis says it is complete, its order of every board equals the order computed from
the score items in DynamoDB; and whatever Redis's state, the service answers with that order."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import boto3
import redis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from questline.config import Settings
from questline.domain.leaderboards.order import board_order
from questline.services.leaderboards.maintenance import rebuild
from questline.services.leaderboards.moderation import set_exclusion
from questline.services.leaderboards.reads import read_top
from questline.services.runtime import Runtime
from questline_local.resources import create_resources
from tests.factories import NOW
from tests.integration.leaderboard_support import WEEK, send, write_catalog, xp

USERS = st.sampled_from([f"u{i}" for i in range(6)])
POINTS = st.integers(min_value=0, max_value=40)
BOARDS = [("all-xp", "all"), ("weekly-xp", WEEK), ("daily-shared", NOW.date().isoformat())]


class LeaderboardModel(RuleBasedStateMachine):
    redis_url = ""
    catalog_path = ""

    def __init__(self) -> None:
        super().__init__()
        suffix = uuid.uuid4().hex[:8]
        resources = create_resources(boto3.client, suffix=suffix)
        self.prefix = f"ql:test:model:{suffix}:"
        self.runtime = Runtime(
            Settings(
                table_name=resources.table_name,
                ingest_queue_url=resources.ingest_queue_url,
                dead_letter_queue_url=resources.dead_letter_queue_url,
                event_bus_name=resources.event_bus_name,
                redis_url=self.redis_url,
                redis_key_prefix=self.prefix,
                catalog_path=self.catalog_path,
            ),
            clock=lambda: NOW,
        )
        self.redis = redis.Redis.from_url(self.redis_url)
        self.sent: list[dict] = []
        self.history: list[dict] = []  # every mirror write, for delayed replays
        self.held: list[dict] | None = None  # writes a slow worker has not sent yet
        cache = self.runtime.board_cache
        self.write = cache.write
        cache.write = self._intercept  # type: ignore[method-assign]
        self.minute = 0
        self.checks = 0

    def _intercept(self, groups):
        self.history.append(groups)
        if self.held is not None:
            self.held.append(groups)
            return 0
        return self.write(groups)

    def _event(self, user: str, points: int) -> dict:
        self.minute += 1
        event = xp(user, points, at=NOW - timedelta(hours=2) + timedelta(seconds=self.minute * 7))
        self.sent.append(event)
        return event

    @rule(user=USERS, points=POINTS)
    def score(self, user, points):
        send(self.runtime, self._event(user, points))

    @rule(data=st.data())
    def duplicate_delivery(self, data):
        if self.sent:
            send(self.runtime, data.draw(st.sampled_from(self.sent)))

    @rule(user=USERS, first=POINTS, second=POINTS)
    def concurrent_workers_mirror_out_of_order(self, user, first, second):
        self.held = []
        send(self.runtime, self._event(user, first))
        slow, self.held = self.held, []
        send(self.runtime, self._event(user, second))
        fast, self.held = self.held, None
        for groups in fast + slow:  # the first worker's mirror lands last
            self.write(groups)

    @rule(data=st.data())
    def a_delayed_mirror_write_lands(self, data):
        if self.history:
            self.write(data.draw(st.sampled_from(self.history)))

    @rule(user=USERS, excluded=st.booleans())
    def moderate(self, user, excluded):
        set_exclusion(self.runtime, user, excluded, "mod", "model test")

    @rule()
    def redis_is_flushed(self):
        keys = list(self.redis.scan_iter(match=f"{self.prefix}*"))
        if keys:
            self.redis.delete(*keys)

    @rule()
    def rebuild(self):
        assert rebuild(self.runtime).ready

    def expected(self) -> dict[tuple[str, str], list[tuple[str, int]]]:
        """Every board's order computed from the score items themselves."""
        items = boto3.client("dynamodb").scan(TableName=self.runtime.settings.table_name)["Items"]
        rows: dict[tuple[str, str], list[tuple[str, int]]] = {board: [] for board in BOARDS}
        for i in items:
            key = (i.get("BoardId", {}).get("S"), i.get("Period", {}).get("S"))
            if i["SK"]["S"].startswith("SCORE#") and "Excluded" not in i and key in rows:
                rows[key].append((i["UserId"]["S"], int(i["Packed"]["N"])))
        return {board: board_order(found) for board, found in rows.items()}

    @invariant()
    def redis_order_is_the_dynamodb_order(self):
        cache = self.runtime.board_cache
        ready = cache.is_ready()
        orders = self.expected()
        for board_id, period in BOARDS:
            expected = orders[(board_id, period)]
            if ready:
                actual = [
                    (m.decode(), int(s))
                    for m, s in self.redis.zrevrange(cache.key(board_id, period), 0, -1, withscores=True)
                ]
                assert actual == expected, (board_id, actual, expected)
        # The service's answer (from Redis or, degraded, from the index): one board per step,
        # in turn, keeps the run short.
        self.checks += 1
        board_id, period = BOARDS[self.checks % len(BOARDS)]
        page, _ = read_top(self.runtime, board_id, period, 100, None)
        assert [e.user_id for e in page.entries] == [u for u, _ in orders[(board_id, period)]]

    def teardown(self):
        keys = list(self.redis.scan_iter(match=f"{self.prefix}*"))
        if keys:
            self.redis.delete(*keys)


def test_redis_always_agrees_with_dynamodb(aws, redis_url, tmp_path):
    random.seed(4)
    LeaderboardModel.redis_url = redis_url
    LeaderboardModel.catalog_path = str(write_catalog(tmp_path))
    run_state_machine_as_test(
        LeaderboardModel,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )

"""``questline-leaderboards``: rebuild with progress, reconcile's exit code, the scheduled job."""

from __future__ import annotations

import json

import pytest

from questline.cli import leaderboards as cli
from tests.integration.leaderboard_support import boards_catalog, standings  # noqa: F401 - boards_catalog: a fixture, the catalog of every test here


@pytest.fixture(autouse=True)
def use_runtime(runtime, monkeypatch):
    monkeypatch.setattr(cli, "get_runtime", lambda: runtime)
    standings(runtime, {"ana": 30, "bo": 90})


def test_rebuild_prints_progress_per_board_period_and_makes_redis_ready(runtime, capsys):
    assert cli.main(["rebuild"]) == 0

    out = capsys.readouterr().out
    assert "weekly-xp 2026-11-16: 2 members" in out
    assert runtime.board_cache.is_ready()


def test_reconcile_exits_1_and_names_the_member_redis_lost(runtime, capsys):
    cli.main(["rebuild"])
    runtime.board_cache.client.zrem(runtime.board_cache.key("all-xp", "all"), "ana")
    capsys.readouterr()

    assert cli.main(["reconcile"]) == 1

    report = json.loads(capsys.readouterr().out)
    drifted = [(p["boardId"], p["missing"]) for p in report["periods"] if p["missing"]]
    assert drifted == [("all-xp", ["ana"])]
    assert cli.main(["rebuild"]) == 0
    capsys.readouterr()
    assert cli.main(["reconcile"]) == 0  # the version guard let the rebuild restore her


def test_maintain_rebuilds_a_redis_that_is_not_ready(runtime, capsys):
    assert cli.main(["maintain"]) == 0

    assert json.loads(capsys.readouterr().out)["rebuild"]["ready"] is True


def test_an_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as exited:
        cli.main(["explode"])
    assert exited.value.code == 2

"""The user store writes the version a commit request states and leaves the decided state alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from questline.domain.state import UserState
from questline.storage.users import CommitRequest, VersionConflict
from tests.factories import NOW


def request_for(state: UserState, version: int, event_id: str) -> CommitRequest:
    return CommitRequest(
        state=state,
        version=version,
        applied_event_ids=[event_id],
        event_types={event_id: "health.metric.recorded"},
        new_unlocks=[],
        domain_events=[],
        catalog_version="v1",
    )


def test_a_commit_writes_the_stated_version_and_leaves_the_decided_state_as_it_was(runtime):
    users = runtime.users
    decided = replace(UserState("u1"), xp=10)

    users.commit(request_for(decided, 1, "e1"), NOW)
    again = replace(users.load("u1"), xp=25)
    users.commit(request_for(again, 2, "e2"), NOW)

    # The store wrote each request's version; the states it was handed are unchanged
    assert (decided.version, again.version) == (0, 1)
    stored = users.load("u1")
    assert (stored.xp, stored.version) == (25, 2)


def test_a_commit_holds_only_over_the_version_before_the_one_it_writes(runtime):
    users = runtime.users
    users.commit(request_for(UserState("u1"), 1, "e1"), NOW)
    loaded = users.load("u1")

    # Writing version 3 over version 1, or creating a profile that exists, is a conflict
    with pytest.raises(VersionConflict):
        users.commit(request_for(loaded, 3, "e2"), NOW)
    with pytest.raises(VersionConflict):
        users.commit(request_for(UserState("u1"), 1, "e3"), NOW)

    assert users.load("u1").version == 1
    users.commit(request_for(loaded, 2, "e4"), NOW)
    assert users.load("u1").version == 2

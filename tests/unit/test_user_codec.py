"""The stored format of a user's items, pinned: profiles, outbox items and bus details written
before any change must still load, and a loaded item must be written back byte for byte."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from questline.domain.clock import QUEST, STREAK, DueKey, tick_event
from questline.domain.leaderboards.scores import ScoreItem
from questline.domain.quests import COMPLETED, IN_PROGRESS, NOT_STARTED
from questline.domain.state import AchievementState, DomainEvent, LedgerEntry, Unlock
from questline.domain.streaks import StreakState
from questline.storage.bus import EventBusPublisher
from questline.storage.item_codec import plain
from questline.storage.keys import parse_due_key
from questline.storage.leaderboards.items import StoredScore, score_attributes, stored_score
from questline.storage.user_codec import state_from_profile
from questline.storage.user_items import (
    LedgerRecord,
    OutboxEntry,
    due_write,
    ledger_from_item,
    ledger_put,
    outbox_from_item,
    outbox_put,
    profile_put,
    unlock_from_item,
    unlock_put,
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# A profile as DynamoDB holds it: every key of the compact document present at least once.
STATE_JSON = (
    '{"b":{"coins":45,"gems":2},'
    '"m":{"steps.sum":{"v":12000.5,"p":{"2026-11-10":4000}},"logins.count":{"v":9}},'
    '"a":{"first-login":{"u":1793608200},"walker":{"u":1793696400.25,"t":["bronze","silver"]},'
    '"daily-check":{"u":1793491200,"n":3,"lc":1794268799}},'
    '"c":{"login-xp":{"2026-11-10":30}},'
    '"s":{"daily-steps":{"r":[[100,104],[106,109]],"p":[[110,2500.0]],"g":[[105,1]],"c":109,"h":[105,106,107]},'
    '"weekly-run":{},"broken":{"r":[[3,4]],"c":9,"b":4}},'
    '"q":{"onboarding":{"a":"1","s":"IN_PROGRESS","n":0,"t":"2026-11-10T07:00:00+00:00",'
    '"c":"2026-11-10T08:15:00+00:00","d":{"profile":"2026-11-10T08:15:00+00:00"}},'
    '"daily-walk":{"a":"2026-11-09","s":"COMPLETED","n":4,"t":"2026-11-09T06:00:00+00:00",'
    '"e":"2026-11-09T18:00:00+00:00"},"idle":{"a":"1","s":"NOT_STARTED","n":0}},'
    '"lb":{"weekly-xp":{"2026-W46":{"s":1250,"t":1762761600000}}},"lx":true}'
)
STORED_PROFILE = {
    "PK": {"S": "USER#u-7"},
    "SK": {"S": "PROFILE"},
    "UserId": {"S": "u-7"},
    "Xp": {"N": "1250"},
    "Level": {"N": "4"},
    "Points": {"N": "310"},
    "TimeZone": {"S": "Europe/Lisbon"},
    "State": {"S": STATE_JSON},
    "Version": {"N": "6"},
    "UpdatedAt": {"S": "2026-11-10T08:15:30.123456+00:00"},
    "CatalogVersion": {"S": "cat-9"},
}


def test_a_stored_profile_loads_every_field_of_the_compact_document():
    state = state_from_profile("u-7", plain(STORED_PROFILE))

    assert (state.xp, state.level, state.points, state.version) == (1250, 4, 310, 6)
    assert (state.time_zone, state.updated_at) == ("Europe/Lisbon", at(2026, 11, 10, 8, 15, 30, 123456))
    assert state.balances == {"coins": 45, "gems": 2}
    assert state.metrics["steps.sum"] == {"v": 12000.5, "p": {"2026-11-10": 4000}}
    assert state.caps == {"login-xp": {"2026-11-10": 30}}
    assert state.achievements == {
        "first-login": AchievementState(unlocked_at=at(2026, 11, 2, 8, 30)),
        "walker": AchievementState(unlocked_at=at(2026, 11, 3, 9, 0, 0, 250000), tiers=("bronze", "silver")),
        "daily-check": AchievementState(
            unlocked_at=at(2026, 11, 1), completions=3, last_completed_at=at(2026, 11, 9, 23, 59, 59)
        ),
    }
    assert state.streaks == {
        "daily-steps": StreakState(
            runs=((100, 104), (106, 109)),
            pending=((110, 2500.0),),
            grants=((105, 1),),
            closed=109,
            history=(105, 106, 107),
        ),
        "weekly-run": StreakState(),
        "broken": StreakState(runs=((3, 4),), closed=9, reported_break=4),
    }
    onboarding, walk, idle = (state.quests[q] for q in ("onboarding", "daily-walk", "idle"))
    assert (onboarding.status, onboarding.started_at, onboarding.step_started_at) == (
        IN_PROGRESS,
        at(2026, 11, 10, 7),
        at(2026, 11, 10, 8, 15),
    )
    assert onboarding.steps == {"profile": at(2026, 11, 10, 8, 15)}
    assert (walk.attempt, walk.status, walk.ended_at, walk.completions) == (
        "2026-11-09",
        COMPLETED,
        at(2026, 11, 9, 18),
        4,
    )
    assert (idle.attempt, idle.status) == ("1", NOT_STARTED)
    assert state.boards == {"weekly-xp": {"2026-W46": {"s": 1250, "t": 1762761600000}}}
    assert state.board_excluded is True


def test_a_loaded_profile_is_written_back_byte_for_byte_at_the_next_version():
    state = state_from_profile("u-7", plain(STORED_PROFILE))

    put = profile_put("table", state, 7, "cat-9")["Put"]

    assert put["Item"]["State"]["S"] == STATE_JSON
    assert put["Item"] == {**STORED_PROFILE, "Version": {"N": "7"}}
    assert (put["ConditionExpression"], put["ExpressionAttributeValues"]) == (
        "Version = :loaded",
        {":loaded": {"N": "6"}},
    )


def test_a_profile_written_before_the_optional_keys_existed_still_loads_and_keeps_its_shape():
    old = {
        "PK": {"S": "USER#u-1"},
        "SK": {"S": "PROFILE"},
        "UserId": {"S": "u-1"},
        "Xp": {"N": "40"},
        "Level": {"N": "1"},
        "Points": {"N": "0"},
        "State": {"S": '{"b":{},"m":{},"a":{"first":{"u":1793608200}},"c":{},"s":{},"q":{}}'},
        "Version": {"N": "1"},
        "CatalogVersion": {"S": "v1"},
    }

    state = state_from_profile("u-1", plain(old))

    assert (state.xp, state.time_zone, state.updated_at, state.boards, state.board_excluded) == (
        40,
        None,
        None,
        {},
        False,
    )
    assert state.unlocked == {"first": at(2026, 11, 2, 8, 30)}
    assert profile_put("table", state, 2, "v1")["Put"]["Item"] == {**old, "Version": {"N": "2"}}


EVENTS_JSON = (
    '[{"id":"5c1e0f4e-0000-5000-8000-000000000001","name":"AchievementUnlocked","userId":"u-7",'
    '"occurredAt":"2026-11-10T08:15:00+00:00","detail":{"achievementId":"walker","tier":"silver"},'
    '"causedBy":["e1","e2"]}]'
)


def test_a_stored_outbox_item_loads_and_is_written_back_byte_for_byte():
    now = at(2026, 11, 10, 8, 15, 30)
    stored = {
        "PK": {"S": "USER#u-7"},
        "SK": {"S": "OUTBOX#20261110T081530000000-0123456789ab"},
        "UserId": {"S": "u-7"},
        "Events": {"S": EVENTS_JSON},
        "CreatedAt": {"S": "2026-11-10T08:15:30+00:00"},
        "DuePK": {"S": "DUE#OUTBOX#2026-11-10#1"},
        "DueSK": {"S": "2026-11-10T08:17:30.000000Z#USER#u-7#OUTBOX#20261110T081530000000-0123456789ab"},
    }

    entry = outbox_from_item(plain(stored))

    assert entry == OutboxEntry(
        "u-7",
        "20261110T081530000000-0123456789ab",
        [
            DomainEvent(
                "5c1e0f4e-0000-5000-8000-000000000001",
                "AchievementUnlocked",
                "u-7",
                at(2026, 11, 10, 8, 15),
                {"achievementId": "walker", "tier": "silver"},
                ("e1", "e2"),
            )
        ],
    )
    assert outbox_put("table", entry, now, timedelta(minutes=2), 4)["Put"]["Item"] == stored


def test_the_bus_detail_is_the_outbox_format_of_one_event():
    [event] = outbox_from_item({"UserId": "u-7", "SK": "OUTBOX#x", "Events": EVENTS_JSON}).events

    entry = EventBusPublisher("bus", events_client=object())._entry(event)

    assert entry["Detail"] == json.dumps(json.loads(EVENTS_JSON)[0], separators=(",", ":"))
    assert (entry["Source"], entry["DetailType"], entry["Time"]) == (
        "questline",
        event.name,
        event.occurred_at,
    )


def test_stored_unlock_records_read_back_as_the_unlocks_they_were_written_from():
    tier = {
        "PK": {"S": "USER#u-7"},
        "SK": {"S": "ACH#walker#silver"},
        "AchievementId": {"S": "walker"},
        "Tier": {"S": "silver"},
        "UnlockedAt": {"S": "2026-11-03T09:00:00.250000+00:00"},
        "EventId": {"S": "e-41"},
        "Points": {"N": "25"},
        "CatalogVersion": {"S": "cat-8"},
    }
    completion = {
        "PK": {"S": "USER#u-7"},
        "SK": {"S": "ACH#daily-check#3"},
        "AchievementId": {"S": "daily-check"},
        "Completion": {"N": "3"},
        "UnlockedAt": {"S": "2026-11-09T23:59:59+00:00"},
        "EventId": {"S": "e-97"},
        "Points": {"N": "5"},
        "CatalogVersion": {"S": "cat-9"},
    }

    unlocks = [unlock_from_item(plain(raw)) for raw in (tier, completion)]

    assert unlocks == [
        Unlock("walker", at(2026, 11, 3, 9, 0, 0, 250000), "e-41", 25, "cat-8", tier="silver"),
        Unlock("daily-check", at(2026, 11, 9, 23, 59, 59), "e-97", 5, "cat-9", completion=3),
    ]
    assert [type(u.points) for u in unlocks] == [int, int]  # not DynamoDB's Decimal
    assert [unlock_put("table", "u-7", u)["Put"]["Item"] for u in unlocks] == [tier, completion]


def test_a_stored_ledger_item_reads_back_with_its_detail_decoded():
    stored = {
        "PK": {"S": "USER#u-7"},
        "SK": {"S": "LEDGER#2026-11-10T08:15:00.000000Z#award-1"},
        "EventId": {"S": "award-1"},
        "At": {"S": "2026-11-10T08:15:00+00:00"},
        "Detail": {"S": '{"actor":"admin-ana","reason":"support ticket 42","xp":50}'},
        "CatalogVersion": {"S": "awards-1"},
    }

    record = ledger_from_item(plain(stored))

    assert record == LedgerRecord(
        "award-1",
        at(2026, 11, 10, 8, 15),
        {"actor": "admin-ana", "reason": "support ticket 42", "xp": 50},
        "awards-1",
    )
    entry = LedgerEntry(record.event_id, record.at, record.detail)
    assert ledger_put("table", "u-7", entry, record.catalog_version)["Put"]["Item"] == stored


def test_a_stored_score_item_reads_back_as_what_was_committed():
    item = ScoreItem(
        board_id="weekly-xp",
        period="2026-W46",
        user_id="u-7",
        score=1250,
        reached=1762761600000,
        packed=5_368_709_120_001,
        version=7,
        excluded=True,
        expires_at=1765000000,
        dense=False,
    )
    stored = score_attributes(item)

    assert stored_score(plain(stored)) == StoredScore(
        "u-7", "weekly-xp", "2026-W46", 1250, 1762761600000, 5_368_709_120_001, 7, True, 1765000000
    )
    indexed = stored_score(plain(score_attributes(replace(item, excluded=False, expires_at=None))))
    assert (indexed.excluded, indexed.expires_at) == (False, None)


def test_a_deadline_item_keeps_its_stored_form_and_reads_back_as_its_key():
    stored = {
        "PK": {"S": "USER#u-7"},
        "SK": {"S": "DUE#QUEST#onboarding"},
        "UserId": {"S": "u-7"},
        "DueKey": {"S": "QUEST#onboarding"},
        "At": {"S": "2026-11-11T07:00:00+00:00"},
        "DuePK": {"S": "DUE#TICK#2026-11-11#1"},
        "DueSK": {"S": "2026-11-11T07:00:00.000000Z#USER#u-7#DUE#QUEST#onboarding"},
    }

    written = due_write("table", "u-7", DueKey(QUEST, "onboarding"), at(2026, 11, 11, 7), 4)

    assert written["Put"]["Item"] == stored
    assert parse_due_key(stored["DueKey"]["S"]) == DueKey(QUEST, "onboarding")
    assert due_write("table", "u-7", DueKey(STREAK, "daily#steps"), None, 4) == {
        "Delete": {
            "TableName": "table",
            "Key": {"PK": {"S": "USER#u-7"}, "SK": {"S": "DUE#STREAK#daily#steps"}},
        }
    }
    assert parse_due_key("STREAK#daily#steps") == DueKey(STREAK, "daily#steps")


def test_a_ticks_id_which_its_dedupe_marker_is_keyed_by_is_unchanged():
    due = at(2026, 11, 11, 7, 0, 0, 5)

    assert (
        tick_event("u-7", DueKey(QUEST, "onboarding"), due).id
        == "tick:QUEST:onboarding:20261111T070000000005"
    )
    assert (
        tick_event("u-7", DueKey(STREAK, "daily#steps"), due).id
        == "tick:STREAK:daily:steps:20261111T070000000005"
    )

"""The profile item's codec: how a UserState is stored and read back (no I/O).

The domain's state classes know nothing of this format. A profile is read back for as long as
the user exists, so every key is optional on the way in: items written before a key existed
still load.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from questline.domain.quests import NOT_STARTED, ONE_OFF_ATTEMPT, QuestState
from questline.domain.state import AchievementState, UserState
from questline.domain.streaks import StreakState
from questline.storage import keys


def profile_attributes(state: UserState, version: int, catalog_version: str) -> dict[str, Any]:
    """The profile item's attributes (plain values) for ``state`` stored as ``version``."""
    return {
        "PK": keys.user_pk(state.user_id),
        "SK": keys.PROFILE_SK,
        "UserId": state.user_id,
        "Xp": state.xp,
        "Level": state.level,
        "Points": state.points,
        "TimeZone": state.time_zone,
        # Metrics, achievements, streaks, quests, balances and caps travel as one compact JSON
        # document: cheaper to write (item size is what costs) and faster than typed maps.
        "State": state_document(state),
        "Version": version,
        "UpdatedAt": state.updated_at.isoformat() if state.updated_at else None,
        "CatalogVersion": catalog_version,
    }


def state_from_profile(user_id: str, item: dict[str, Any]) -> UserState:
    """The state a profile item (plain values) holds."""
    document = json.loads(item.get("State", "{}"))
    return UserState(
        user_id=user_id,
        xp=int(item["Xp"]),
        level=int(item["Level"]),
        points=int(item["Points"]),
        version=int(item["Version"]),
        time_zone=item.get("TimeZone"),
        updated_at=datetime.fromisoformat(item["UpdatedAt"]) if "UpdatedAt" in item else None,
        balances=document.get("b", {}),
        metrics=document.get("m", {}),
        achievements={a: achievement_from_dict(d) for a, d in document.get("a", {}).items()},
        caps=document.get("c", {}),
        streaks={k: streak_from_dict(v) for k, v in document.get("s", {}).items()},
        quests={k: quest_from_dict(v) for k, v in document.get("q", {}).items()},
        boards=document.get("lb", {}),
        board_excluded=bool(document.get("lx", False)),
    )


def state_document(state: UserState) -> str:
    document = {
        "b": state.balances,
        "m": state.metrics,
        "a": {a: achievement_to_dict(held) for a, held in state.achievements.items()},
        "c": state.caps,
        "s": {k: streak_to_dict(v) for k, v in state.streaks.items()},
        "q": {k: quest_to_dict(v) for k, v in state.quests.items()},
        # Board scores and the exclusion flag only when present: most profiles hold neither.
        **({"lb": state.boards} if state.boards else {}),
        **({"lx": True} if state.board_excluded else {}),
    }
    return json.dumps(document, separators=(",", ":"))


# -- achievements: epoch seconds, since every event rewrites the profile ------------------------


def achievement_to_dict(held: AchievementState) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if held.unlocked_at is not None:
        data["u"] = _epoch(held.unlocked_at)
    if held.tiers:
        data["t"] = list(held.tiers)
    if held.completions:
        data["n"] = held.completions
    if held.last_completed_at is not None:
        data["lc"] = _epoch(held.last_completed_at)
    return data


def achievement_from_dict(data: dict[str, Any]) -> AchievementState:
    return AchievementState(
        unlocked_at=_instant(data.get("u")),
        tiers=tuple(data.get("t", ())),
        completions=data.get("n", 0),
        last_completed_at=_instant(data.get("lc")),
    )


def _epoch(at: datetime) -> float:
    stamp = at.timestamp()
    return int(stamp) if stamp.is_integer() else stamp


def _instant(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


# -- streaks: period ordinals; empty and unset fields are left out ------------------------------


def streak_to_dict(held: StreakState) -> dict[str, Any]:
    return {
        k: v
        for k, v in {
            "r": [list(r) for r in held.runs],
            "p": [list(p) for p in held.pending],
            "g": [list(g) for g in held.grants],
            "c": held.closed,
            "h": list(held.history),
            "b": held.reported_break,
        }.items()
        if v not in (None, [])
    }


def streak_from_dict(data: dict[str, Any]) -> StreakState:
    return StreakState(
        runs=tuple((a, b) for a, b in data.get("r", ())),
        pending=tuple((p, v) for p, v in data.get("p", ())),
        grants=tuple((p, n) for p, n in data.get("g", ())),
        closed=data.get("c"),
        history=tuple(data.get("h", ())),
        reported_break=data.get("b"),
    )


# -- quests: ISO instants ------------------------------------------------------------------------


def quest_to_dict(held: QuestState) -> dict[str, Any]:
    data: dict[str, Any] = {"a": held.attempt, "s": held.status, "n": held.completions}
    for key, value in (("t", held.started_at), ("c", held.step_started_at), ("e", held.ended_at)):
        if value is not None:
            data[key] = value.isoformat()
    if held.steps:
        data["d"] = {k: v.isoformat() for k, v in held.steps.items()}
    return data


def quest_from_dict(data: dict[str, Any]) -> QuestState:
    def at(key: str) -> datetime | None:
        return datetime.fromisoformat(data[key]) if key in data else None

    return QuestState(
        attempt=data.get("a", ONE_OFF_ATTEMPT),
        status=data.get("s", NOT_STARTED),
        started_at=at("t"),
        step_started_at=at("c"),
        steps={k: datetime.fromisoformat(v) for k, v in data.get("d", {}).items()},
        ended_at=at("e"),
        completions=data.get("n", 0),
    )

"""Direct awards (admins, services, prizes): validated against the catalog, then applied through
the same decide-and-commit path as events, so they level users up and cascade exactly as an
event would, and the idempotency key makes them exactly-once."""

from __future__ import annotations

from questline.domain.awards import AWARD_EVENT_TYPE, award_payload
from questline.errors import RequestRejected
from questline.models.api import AwardRequest, AwardResponse
from questline.models.envelope import EventEnvelope
from questline.services.runtime import Runtime
from questline.services.write_path import after_commit, process_user


def grant_award(user_id: str, request: AwardRequest, actor: str, runtime: Runtime) -> AwardResponse:
    """Grant once per (user, idempotency key); a repeat answers with ``applied: false``."""
    _check_references(request, runtime)
    now = runtime.clock()
    award_id = f"award-{request.idempotency_key}"
    event = EventEnvelope(
        id=award_id,
        type=AWARD_EVENT_TYPE,
        user_id=user_id,
        timestamp=now,
        version="1.0",
        payload=award_payload(
            [g.model_dump() for g in request.grants],
            request.achievement_id,
            request.tier,
            actor,
            request.reason,
            [f.model_dump(by_alias=True) for f in request.streak_freezes],
        ),
    )
    outcome = process_user(user_id, [event], runtime, now)
    after_commit(outcome.outbox, runtime, outcome.scores)
    state = runtime.users.load(user_id)
    return AwardResponse(
        award_id=award_id,
        applied=outcome.applied == 1,
        user_id=user_id,
        xp=state.xp,
        level=state.level,
        points=state.points,
        balances=dict(state.balances),
        unlocked=[u.record_id for u in outcome.unlocks],
    )


def _check_references(request: AwardRequest, runtime: Runtime) -> None:
    catalog = runtime.catalog
    currencies = catalog.catalog.currency_ids()
    for index, grant in enumerate(request.grants):
        if grant.currency not in currencies:
            message = f"unknown currency {grant.currency!r}"
            raise RequestRejected(message, [{"field": f"grants[{index}].currency", "message": message}])
    for index, freeze in enumerate(request.streak_freezes):
        if freeze.streak_id not in catalog.streaks_by_id:
            message = f"unknown streak {freeze.streak_id!r}"
            raise RequestRejected(
                message, [{"field": f"streakFreezes[{index}].streakId", "message": message}]
            )
    if request.achievement_id is None:
        return
    achievement = catalog.achievements_by_id.get(request.achievement_id)
    if achievement is None:
        message = f"unknown achievement {request.achievement_id!r}"
        raise RequestRejected(message, [{"field": "achievementId", "message": message}])
    tiers = {t.id for t in achievement.tiers or ()}
    if tiers and request.tier not in tiers:
        message = f"give one of the tiers {sorted(tiers)}"
        raise RequestRejected(message, [{"field": "tier", "message": message}])
    if not tiers and request.tier is not None:
        message = "this achievement has no tiers"
        raise RequestRejected(message, [{"field": "tier", "message": message}])

"""Mirroring committed board scores to Redis: absolute values with the commit's version, after
the commit. Redis is disposable, so a failure here is logged, never raised: the scheduled
rebuild and the version guard bring Redis back to what DynamoDB holds."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from questline.domain.leaderboards.scores import ScoreItem

if TYPE_CHECKING:
    from questline.storage.leaderboards.redis import MemberWrite, RedisBoardCache

logger = logging.getLogger(__name__)

Groups = dict[tuple[str, str], tuple[int | None, bool, list["MemberWrite"]]]


def group_writes(items: Sequence[ScoreItem]) -> Groups:
    """Score items as guarded member writes, one group per board period."""
    # Imported here, as the cache itself is (Runtime.board_cache): writers without boards never
    # load the Redis client.
    from questline.storage.leaderboards.redis import MemberWrite

    groups: Groups = {}
    for item in items:
        _, _, writes = groups.setdefault((item.board_id, item.period), (item.expires_at, item.dense, []))
        writes.append(MemberWrite(item.user_id, item.version, None if item.excluded else item.packed))
    return groups


def mirror_scores(items: Sequence[ScoreItem], cache: RedisBoardCache) -> bool:
    """Write committed scores to Redis; False when Redis could not take them."""
    if not items:
        return True
    from questline.storage.leaderboards.redis import CacheUnavailable

    try:
        cache.write(group_writes(items))
    except CacheUnavailable as exc:
        logger.warning("board mirror skipped; the rebuild restores it: %s", exc)
        return False
    return True

"""Mirroring committed board scores to Redis: absolute values with the commit's version, after
the commit. Redis is disposable, so a failure here is logged, never raised: the scheduled
rebuild and the version guard bring Redis back to what DynamoDB holds."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from questline.domain.board_scores import ScoreItem

if TYPE_CHECKING:
    from questline.services.runtime import Runtime
    from questline.storage.boards_redis import MemberWrite

logger = logging.getLogger(__name__)

Groups = dict[tuple[str, str], tuple[int | None, bool, list["MemberWrite"]]]


def group_writes(items: Sequence[ScoreItem]) -> Groups:
    """Score items as guarded member writes, one group per board period."""
    from questline.storage.boards_redis import MemberWrite

    groups: Groups = {}
    for item in items:
        _, _, writes = groups.setdefault((item.board_id, item.period), (item.expires_at, item.dense, []))
        writes.append(MemberWrite(item.user_id, item.version, None if item.excluded else item.packed))
    return groups


def mirror_scores(items: Sequence[ScoreItem], runtime: Runtime) -> bool:
    """Write committed scores to Redis; False when Redis could not take them."""
    if not items:
        return True
    from questline.storage.boards_redis import CacheUnavailable

    try:
        runtime.board_cache.write(group_writes(items))
    except CacheUnavailable as exc:
        logger.warning("board mirror skipped; the rebuild restores it: %s", exc)
        return False
    return True

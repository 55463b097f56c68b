"""What each part of the decide step works on, and what it gives back (pure).

A ``Step`` is one event being applied: the state it changes (the decision's own copy, changed in
place), the event, the catalog in force and the user's calendar. Each part (XP, streaks, quests,
awards, achievements) returns ``Effects``: what it changed, the domain events it emitted and the
achievements it unlocked; the decide step collects them, in the order the parts ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from questline.domain.catalog import CompiledCatalog
from questline.domain.metrics import TimeContext
from questline.domain.state import DomainEvent, Unlock, UserState
from questline.models.envelope import EventEnvelope


@dataclass(slots=True)  # not frozen: a frozen dataclass costs microseconds per event to build
class Step:
    """One event applied to one user's state under one catalog, in the user's calendar."""

    state: UserState
    event: EventEnvelope
    catalog: CompiledCatalog
    time: TimeContext


@dataclass(slots=True)
class Effects:
    """What one part of a step produced. ``changed`` holds the ids of what it changed (streaks,
    quests, currencies, achievements: each part says which), so callers know whether
    state-dependent achievements must be judged again and which deadlines to recompute.
    Read, never changed: a part that produced nothing returns the shared ``NOTHING``."""

    changed: AbstractSet[str]
    events: Sequence[DomainEvent]
    unlocks: Sequence[Unlock] = ()


NOTHING = Effects(frozenset(), ())

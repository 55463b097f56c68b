"""Routes of the local system only (never deployed): read and set the clock every function
sees, and fire the schedules now. Admin tokens only, like the operators' routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel

from questline.http.auth import Role, require_role
from questline.http.deps import PrincipalDep
from questline_local.clock import CLOCK
from questline_local.scheduler import SCHEDULES

router = APIRouter(prefix="/_local", tags=["local system only"])


class ClockSetting(BaseModel):
    now: AwareDatetime


class ClockReading(BaseModel):
    now: datetime
    offsetSeconds: float


@router.get("/clock", summary="The local clock (admin)")
def read_clock(principal: PrincipalDep) -> ClockReading:
    require_role(principal, Role.ADMIN)
    return ClockReading(now=CLOCK(), offsetSeconds=CLOCK.offset_seconds)


@router.put("/clock", summary="Set the local clock; time moves on from there (admin)")
def set_clock(setting: ClockSetting, principal: PrincipalDep) -> ClockReading:
    require_role(principal, Role.ADMIN)
    CLOCK.set(setting.now)
    return ClockReading(now=CLOCK(), offsetSeconds=CLOCK.offset_seconds)


@router.post("/schedules/run", summary="Fire every schedule now, in turn (admin)")
def run_schedules(principal: PrincipalDep) -> dict[str, Any]:
    require_role(principal, Role.ADMIN)
    return {name: schedule.fire() for name, schedule in sorted(SCHEDULES.items())}

"""Bearer headers for the local auth mode, signed with the test runtime's development secret."""

from __future__ import annotations

import time

from questline.http.auth import mint_local_token
from questline.services.runtime import Runtime


def auth(runtime: Runtime, sub: str = "u1", *roles: str) -> dict[str, str]:
    token = mint_local_token(runtime.settings.local_jwt_secret, sub, list(roles), 600, int(time.time()))
    return {"Authorization": f"Bearer {token}"}

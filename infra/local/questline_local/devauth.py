"""Development tokens for the local system (``AUTH_MODE=local``, never used in AWS).

``run``, ``token`` and ``demo`` must agree on the signing secret without being told, so it has
a fixed, documented default; set ``LOCAL_JWT_SECRET`` to use another one.
"""

from __future__ import annotations

import os
import time

from questline.http.auth import Role, mint_local_token

# Public on purpose: it signs development tokens for a system that only listens on this machine.
DEV_SECRET = "questline-local-development-secret-not-for-production"
DEMO_USER = "demo-user"
ROLE_NAMES = tuple(role.value for role in Role)


def dev_secret() -> str:
    """LOCAL_JWT_SECRET if set, else the documented development secret."""
    return os.environ.get("LOCAL_JWT_SECRET") or DEV_SECRET


def parse_roles(text: str) -> list[str]:
    """``"service,admin"`` -> ``["service", "admin"]``, refusing names that are not roles."""
    roles = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(roles) - set(ROLE_NAMES))
    if not roles or unknown:
        raise ValueError(f"roles must be among {', '.join(ROLE_NAMES)}; got {text!r}")
    return roles


def dev_token(subject: str, roles: list[str], ttl_seconds: int = 3600, secret: str | None = None) -> str:
    """A token the local system accepts, for ``subject`` with ``roles``."""
    return mint_local_token(secret or dev_secret(), subject, roles, ttl_seconds, int(time.time()))

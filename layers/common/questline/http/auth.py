"""Who is calling: a principal (user id and roles) from JWT claims.

In AWS, API Gateway's JWT authorizer has already verified the token; the app reads the claims
Mangum passes through. Locally (``AUTH_MODE=local``) the app verifies an HS256 token signed with
the development secret itself (``questline-local token`` mints one).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from questline.config import Settings
from questline.errors import AuthError, ForbiddenError
from questline.models.envelope import ME

LOCAL_ISSUER = "questline-local"
LOCAL_AUDIENCE = "questline"


class Role(StrEnum):
    USER = "user"  # an end user, on their own data only
    SERVICE = "service"  # an upstream system: posts events, reads any user
    ADMIN = "admin"  # operators: everything


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Roles come from ``roles`` / ``cognito:groups`` claims or ``questline/<role>`` scopes;
    any authenticated caller is at least a user."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise AuthError("token has no subject")
    names: set[str] = set()
    for claim in ("roles", "cognito:groups"):
        names |= _as_names(claims.get(claim))
    names |= {
        s.removeprefix("questline/") for s in _as_names(claims.get("scope")) if s.startswith("questline/")
    }
    roles = {Role.USER} | {Role(n) for n in names if n in Role._value2member_map_}
    return Principal(subject, frozenset(roles))


def _as_names(value: Any) -> set[str]:
    """Claims arrive as lists, space-separated strings, or (through API Gateway) "[a b]" strings."""
    if value is None:
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return set(str(value).strip("[]").replace(",", " ").split())


def authenticate(
    settings: Settings, aws_event: dict[str, Any] | None, authorization: str | None
) -> Principal:
    """The caller of one request, or AuthError."""
    if settings.auth_mode == "local":
        return principal_from_claims(verify_local_token(settings, authorization))
    claims = (
        (((aws_event or {}).get("requestContext") or {}).get("authorizer") or {}).get("jwt", {}).get("claims")
    )
    if not claims:
        raise AuthError("no verified claims on the request")
    return principal_from_claims(claims)


def verify_local_token(settings: Settings, authorization: str | None) -> dict[str, Any]:
    import jwt  # only the local mode needs it

    if not settings.local_jwt_secret:
        raise AuthError("local auth is not configured (LOCAL_JWT_SECRET)")
    if not authorization or not authorization.lower().startswith("bearer "):
        raise AuthError("missing bearer token")
    try:
        claims: dict[str, Any] = jwt.decode(
            authorization[7:].strip(),
            settings.local_jwt_secret,
            algorithms=["HS256"],
            audience=LOCAL_AUDIENCE,
            issuer=LOCAL_ISSUER,
        )
    except jwt.PyJWTError as exc:
        raise AuthError(f"invalid token: {exc}") from exc
    return claims


def mint_local_token(secret: str, subject: str, roles: list[str], ttl_seconds: int, now: int) -> str:
    """A development token the local app accepts (never used in AWS)."""
    import jwt

    claims = {
        "sub": subject,
        "roles": roles,
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def resolve_user(principal: Principal, user_id: str) -> str:
    """The user a request is about: ``me`` is the caller; a user may only address themselves,
    services and admins anyone."""
    target = principal.subject if user_id == ME else user_id
    if target != principal.subject and not principal.has_any(Role.SERVICE, Role.ADMIN):
        raise ForbiddenError("a user may only read their own data")
    return target


def require_role(principal: Principal, *roles: Role) -> None:
    if not principal.has_any(*roles):
        raise ForbiddenError(f"requires one of the roles: {', '.join(sorted(roles))}")

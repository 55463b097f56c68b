"""FastAPI dependencies shared by every router: the runtime and the calling principal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from questline.http.auth import Principal, authenticate
from questline.services.runtime import Runtime, get_runtime

# Tests and tools serve another runtime through ``app.dependency_overrides[get_runtime]``.
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def principal_dependency(
    request: Request,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    aws_event: dict[str, Any] | None = request.scope.get("aws.event")
    return authenticate(runtime.settings, aws_event, authorization)


PrincipalDep = Annotated[Principal, Depends(principal_dependency)]

"""Every error the HTTP API returns, mapped in one place. Bodies always name the field.

Shape: ``{"code": "...", "message": "...", "errors": [{"field": "...", "message": "..."}]}``.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from questline.errors import (
    AuthError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    QuestlineError,
    RequestRejected,
    TransientError,
)
from questline.models.envelope import field_path

_STATUS: list[tuple[type[QuestlineError], int, str]] = [
    (AuthError, 401, "unauthorized"),
    (ForbiddenError, 403, "forbidden"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (RequestRejected, 422, "rejected"),
    (TransientError, 503, "unavailable"),
]


def error_body(code: str, message: str, errors: list[dict[str, str]] | None = None) -> dict[str, object]:
    return {"code": code, "message": message, "errors": errors or []}


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            fields = exc.errors if isinstance(exc, RequestRejected) else []
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse(error_body(code, str(exc), fields), status_code=status, headers=headers)
    return JSONResponse(error_body("error", str(exc)), status_code=400)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    malformed = False
    for err in exc.errors():
        # Fields are named as the client wrote them: ``userId``, ``limit``, ``events[0].type``.
        loc = tuple(err.get("loc", ()))
        if loc == ("body",) and isinstance(err.get("input"), bytes):
            # The body was left unparsed: its content type names a format other than JSON.
            sent = request.headers.get("content-type") or "a body of no declared type"
            message = f"this route takes a JSON body, not {sent}"
            body = error_body("unsupported_media_type", message, [{"field": "body", "message": message}])
            return JSONResponse(body, status_code=415)
        if loc == ("body",) and err.get("type") == "missing":
            errors.append({"field": "body", "message": "a JSON body is required"})
            continue
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        if err.get("type") == "json_invalid":
            malformed = True
            errors.append(
                {
                    "field": "body",
                    "message": f"malformed JSON: {err.get('ctx', {}).get('error', err['msg'])}",
                }
            )
            continue
        errors.append({"field": field_path(loc), "message": err["msg"]})
    if malformed:
        return JSONResponse(
            error_body("malformed_json", "the body is not valid JSON", errors), status_code=400
        )
    return JSONResponse(error_body("validation_error", "the request is invalid", errors), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Routing's own errors (no such route, a method the route does not take), in the API's body."""
    assert isinstance(exc, HTTPException)
    route = f"{request.method} {request.url.path}"
    if exc.status_code == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
        code, message = "not_found", f"no route {route}"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        code, message = "method_not_allowed", f"{route} is not allowed; this path takes {allowed}"
    else:
        phrase = HTTPStatus(exc.status_code).phrase if exc.status_code in _KNOWN_STATUSES else "error"
        code, message = re.sub(r"[^a-z]+", "_", phrase.lower()), str(exc.detail)
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A fault of ours, not of the request: the API's body still, and nothing of the fault's detail."""
    return JSONResponse(error_body("internal_error", "the request failed; retry later"), status_code=500)


_LOCATIONS = ("body", "path", "query", "header", "cookie")
_KNOWN_STATUSES = {s.value for s in HTTPStatus}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(QuestlineError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)

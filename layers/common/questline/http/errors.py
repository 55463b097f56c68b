"""Every error the HTTP API returns, mapped in one place. Bodies always name the field.

Shape: ``{"code": "...", "message": "...", "errors": [{"field": "...", "message": "..."}]}``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] in ("body", "path", "query", "header"):
            loc = loc[1:] if loc[0] == "body" else loc
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(QuestlineError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)

"""One gate for every request body, whatever route it is for: the body is parsed strictly
(:mod:`questline.http.json_body`) before the route sees it, and refused with the API's error body.

Bodies are JSON whatever ``Content-Type`` says (none, ``text/plain``, curl's default form type):
a client that forgot the header gets its JSON read, and one that sent something else is told it
is not JSON, not that a dictionary was expected. Only a YAML content type keeps its body as it is
(catalog administration reads YAML), and it must still be UTF-8. Requests that match no route
pass untouched, so they get their 404 or 405 whatever their body.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questline.http.errors import error_body
from questline.http.json_body import BodyRefused, decode_utf8, parse_json_strictly

YAML_MEDIA_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
# GET and HEAD bodies have no meaning in HTTP; they are left alone (and unread).
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


class StrictJsonBody:
    """ASGI middleware; ``router`` is the app's, read per request so later routes count too."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS or not self._routed(scope):
            await self.app(scope, receive, send)
            return
        body, disconnected = await _read_body(receive)
        if disconnected:
            return
        if body:
            declared = media_type(dict(scope["headers"]).get(b"content-type", b"").decode("latin-1"))
            try:
                if declared in YAML_MEDIA_TYPES:
                    decode_utf8(body, "malformed_yaml")
                else:
                    parse_json_strictly(body)
            except BodyRefused as refused:
                await _refuse(refused, scope, receive, send)
                return
            if declared not in YAML_MEDIA_TYPES:
                scope = {**scope, "headers": _as_json(scope["headers"])}
        await self.app(scope, _replay(body, receive), send)

    def _routed(self, scope: Scope) -> bool:
        """Whether a route takes this method on this path (else routing answers 404 or 405)."""
        return any(route.matches(scope)[0] == Match.FULL for route in self.router.routes)


def _as_json(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k != b"content-type"] + [(b"content-type", b"application/json")]


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once, as one message; then whatever the client sends (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(refused: BodyRefused, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        error_body(refused.code, refused.message, refused.errors), status_code=refused.status
    )
    await response(scope, receive, send)

"""Strict parsing of request bodies: UTF-8 JSON whose every value survives a round trip.

Python's ``json`` accepts ``NaN``, ``Infinity`` and ``-Infinity``, turns ``1e400`` into ``inf``
and decodes ``"\\udc00"`` into a string no encoder can write back; each would be stored wrong or
fail later. Here they are refused, with the path of every value at fault, before any route sees
the body.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from questline.models.envelope import field_path

# JSON allows a lone surrogate only as an escape: raw ones cannot survive strict UTF-8 decoding.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
MAX_REPORTED = 20  # errors named per body; the rest are counted, not listed


@dataclass
class BodyRefused(Exception):
    """A body no route should see: ``status`` 400 when it is not UTF-8 JSON at all, 422 when
    it is JSON but holds values that cannot be represented."""

    status: int
    code: str
    message: str
    errors: list[dict[str, str]] = field(default_factory=list)


class _Refused:
    """Stands in, during parsing, for a value that is refused once its path is known."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def parse_json_strictly(body: bytes) -> Any:
    """The decoded body, or :class:`BodyRefused` naming the body or each field at fault."""
    text = decode_utf8(body)
    refused = False

    def refuse(message: str) -> _Refused:
        nonlocal refused
        refused = True
        return _Refused(message)

    def parse_float(literal: str) -> float | _Refused:
        value = float(literal)
        return value if math.isfinite(value) else refuse(f"{literal} is beyond the range of a number")

    def parse_int(literal: str) -> int | _Refused:
        try:
            return int(literal)
        except ValueError:  # more digits than Python converts
            return refuse("an integer with too many digits")

    try:
        data = json.loads(
            text,
            parse_float=parse_float,
            parse_int=parse_int,
            parse_constant=lambda name: refuse(f"{name} is not a JSON number"),
        )
    except json.JSONDecodeError as exc:
        message = f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise BodyRefused(
            400, "malformed_json", "the body is not valid JSON", [_at("body", message)]
        ) from exc
    except RecursionError as exc:
        message = "nested deeper than a body may be"
        raise BodyRefused(422, "validation_error", "the request is invalid", [_at("body", message)]) from exc
    if refused or _SURROGATE_ESCAPE.search(text):
        errors = unrepresentable(data)
        if errors:
            raise BodyRefused(422, "validation_error", "the request is invalid", errors)
    return data


def decode_utf8(body: bytes, code: str = "malformed_json") -> str:
    """The body as text; JSON (RFC 8259) and YAML bodies are UTF-8, so anything else is refused."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"not UTF-8: byte 0x{body[exc.start]:02x} at offset {exc.start}"
        raise BodyRefused(400, code, "the body is not UTF-8", [_at("body", message)]) from exc


def unrepresentable(data: Any, limit: int = MAX_REPORTED) -> list[dict[str, str]]:
    """Every refused number and every string (value or key) holding a lone surrogate, by path,
    in document order; past ``limit`` they are counted in one last entry. Iterative, with each
    value's path kept as a link to its parent's: a body may nest as deep as the parser allows."""
    errors: list[dict[str, str]] = []
    found = 0
    stack: list[tuple[Any, _Link]] = [(data, None)]
    while stack:
        value, link = stack.pop()
        problem = None
        if isinstance(value, _Refused):
            problem = value.message
        elif isinstance(value, str):
            problem = None if _encodable(value) else "not valid Unicode: a lone surrogate escape"
        elif isinstance(value, dict):
            keys = [key for key in value if _encodable(key)]
            if len(keys) < len(value):
                problem = "a key is not valid Unicode: a lone surrogate escape"
            stack.extend((value[key], (key, link)) for key in reversed(keys))
        elif isinstance(value, list):
            stack.extend((value[i], (i, link)) for i in range(len(value) - 1, -1, -1))
        if problem is not None:
            found += 1
            if found <= limit:
                errors.append(_at(field_path(_path(link)), problem))
    if found > limit:
        errors.append(_at("body", f"and {found - limit} more such values"))
    return errors


_Link = tuple[int | str, "_Link"] | None  # (key or index, the parent's link); None at the root


def _path(link: _Link) -> tuple[int | str, ...]:
    parts: list[int | str] = []
    while link is not None:
        key, link = link
        parts.append(key)
    return tuple(reversed(parts))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _at(path: str, message: str) -> dict[str, str]:
    return {"field": path, "message": message}

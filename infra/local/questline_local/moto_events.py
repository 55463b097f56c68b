"""EventBridge targets in moto without re-building a JSONPath parser for every event.

Part of :mod:`questline_local.moto_speedups` (local system and tests only, never deployed).
moto 5.2.5 renders what a rule sends to each target through ``jsonpath_ng.ext.parse``, eight
paths per event (nine with an input transformer), and that function builds a new parser each
time: about 10 ms per event and target, most of the cost of publishing a domain event. Parsing
is a pure function of the path, so the parsed paths are kept (a few dozen distinct ones).
"""

from __future__ import annotations

from functools import lru_cache

import jsonpath_ng.ext

_original_parse = getattr(jsonpath_ng.ext.parse, "moto_original", jsonpath_ng.ext.parse)


@lru_cache(maxsize=512)
def parse(path: str) -> object:
    """``jsonpath_ng.ext.parse``, once per distinct path."""
    return _original_parse(path)


parse.moto_original = _original_parse  # type: ignore[attr-defined]


def install() -> None:
    """Replace ``jsonpath_ng.ext.parse``, which moto's EventBridge imports on each use."""
    jsonpath_ng.ext.parse = parse


def uninstall() -> None:
    jsonpath_ng.ext.parse = _original_parse

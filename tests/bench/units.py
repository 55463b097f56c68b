"""DynamoDB item sizes and request units, computed the way AWS bills on-demand tables.

Sources: the DynamoDB developer guide ("Item sizes and formats", "Read/write capacity mode") and,
where it is vague about nested types, the one byte per element that public item-size calculators
(zaccharles/dynamodb-calculator) add. An estimate, right to a few bytes: enough to tell which
items cross a 1 KB write unit.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

WRITE_UNIT_BYTES = 1024  # one write request unit: a standard write of up to 1 KB
READ_UNIT_BYTES = 4096  # one read request unit: a strongly consistent read of up to 4 KB
_NESTED_OVERHEAD = 3  # every Map or List, empty or not
_ELEMENT_OVERHEAD = 1  # every element of a Map or List


def item_size(item: dict[str, Any]) -> int:
    """Bytes of an item in the low-level (``{"S": ...}``) format: the sum, over attributes, of
    the name's UTF-8 length and the value's size."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value.

    - S: UTF-8 bytes; B: raw bytes; BOOL and NULL: 1 byte.
    - N: 1 byte per two significant digits, plus 1 (leading and trailing zeros do not count).
    - M and L: 3 bytes, plus per element 1 byte and its size (a Map element also its name).
    - Sets: the sum of their members (as the guide states for SS/NS/BS).
    """
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return number_size(raw)
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        inner = sum(_ELEMENT_OVERHEAD + len(k.encode()) + value_size(v) for k, v in raw.items())
        return _NESTED_OVERHEAD + inner
    if kind == "L":
        return _NESTED_OVERHEAD + sum(_ELEMENT_OVERHEAD + value_size(v) for v in raw)
    if kind == "SS":
        return sum(len(s.encode()) for s in raw)
    if kind == "NS":
        return sum(number_size(n) for n in raw)
    if kind == "BS":
        return sum(len(b) for b in raw)
    raise ValueError(f"unknown attribute type {kind!r}")


def number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    significant = len("".join(map(str, digits)).strip("0")) or 1
    return math.ceil(significant / 2) + 1


def write_units(size: int) -> int:
    """Standard write of an item of ``size`` bytes (at least one unit, even for a delete of
    nothing). Transactional writes cost twice this."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(returned_bytes: int, *, consistent: bool) -> float:
    """Read units of a GetItem or Query: the bytes returned (a Query's summed) rounded up to
    4 KB, one unit minimum even when nothing is found; eventually consistent reads cost half."""
    units = max(1, math.ceil(returned_bytes / READ_UNIT_BYTES))
    return units if consistent else units / 2

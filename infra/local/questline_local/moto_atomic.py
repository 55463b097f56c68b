"""DynamoDB requests to moto, one at a time: as atomic as DynamoDB's own.

DynamoDB applies every request atomically: a transaction's conditions and writes, a conditional
PutItem, UpdateItem or DeleteItem, an UpdateItem's read-modify-write (``ADD``, ``SET x = x + 1``).
moto 5.2.5 handles each request on the caller's thread (in process under ``mock_aws``, on a request
thread in ``ThreadedMotoServer``) and checks a condition, then writes, with nothing to stop another
thread in between: two transactions on one item can both pass their version check, and 100
concurrent awards to one user kept 294 of 300 XP. :func:`install` makes every DynamoDB request
hold one process-wide lock while moto handles it, so the local system and the tests get the
guarantees the code relies on in AWS.

The lock wraps moto's DynamoDB request handler, the one both ways in go through, not its
models: it holds whichever backend functions are installed (moto's own or
:mod:`questline_local.moto_speedups`). Used by the local system and the test suite; never deployed.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

# Re-entrant: a request handled while the lock is held on the same thread must not deadlock.
REQUEST_LOCK = threading.RLock()

# A reloaded module must not mistake the wrapper for moto's handler.
_original = getattr(DynamoHandler.call_action, "moto_original", DynamoHandler.call_action)


def call_action(self: DynamoHandler) -> Any:
    """moto's handling of one DynamoDB request, alone: no other request runs meanwhile."""
    with REQUEST_LOCK:
        return _original(self)


call_action.moto_original = _original  # type: ignore[attr-defined]


def install() -> None:
    """Serialise DynamoDB requests in this process (idempotent; ``mock_aws`` and a
    ``ThreadedMotoServer`` alike)."""
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def uninstall() -> None:
    """Put moto's own handler back."""
    DynamoHandler.call_action = _original  # type: ignore[method-assign]


def installed() -> bool:
    return DynamoHandler.call_action is call_action

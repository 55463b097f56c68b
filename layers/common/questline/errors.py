"""Domain exceptions, in one module. The HTTP layer maps them to status codes in one place."""

from __future__ import annotations


class QuestlineError(Exception):
    """Base of every expected failure."""


class PermanentEventError(QuestlineError):
    """An inbound event that can never succeed: it is dead-lettered with ``reason``, never retried."""

    def __init__(self, reason: str, errors: list[dict[str, str]]) -> None:
        self.reason = reason
        self.errors = errors  # [{"field": ..., "message": ...}], fields relative to the event
        self.field = errors[0]["field"] if errors else None
        self.detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        super().__init__(f"{reason}: {self.detail}")


class TransientError(QuestlineError):
    """A failure worth retrying later (throttling, timeouts, contention that kept failing)."""


class CommitConflictError(TransientError):
    """The optimistic version check kept failing after every allowed attempt."""


class CatalogError(QuestlineError):
    """The catalog bundle is invalid; ``errors`` lists (path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        lines = "; ".join(f"{path}: {message}" for path, message in errors)
        super().__init__(f"invalid catalog: {lines}")


class AuthError(QuestlineError):
    """No valid credentials (401)."""


class ForbiddenError(QuestlineError):
    """Valid credentials, but not allowed to do this (403)."""


class NotFoundError(QuestlineError):
    """The requested resource does not exist (404)."""


class ConflictError(QuestlineError):
    """The request does not fit the resource's current state (409), e.g. a quest not started."""


class UntrustedSourceError(QuestlineError):
    """A bus request from a source that may not make it: refused, never retried into a grant,
    kept with this message in the function's failure destination."""

    reason = "untrusted-source"

    def __init__(self, source: object, request: str) -> None:
        self.source = source
        super().__init__(f"{self.reason}: source {source!r} may not request {request}")


class RequestRejected(QuestlineError):
    """A well-formed request that cannot be accepted (422); ``errors`` name the offending fields."""

    def __init__(self, message: str, errors: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.errors = errors

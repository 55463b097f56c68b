"""Award requests from the event bus (detail-type ``AwardRequested``): granted only when the
event's source is Questline's own (``questline``) or one the operator configured as trusted.

In AWS any principal allowed ``events:PutEvents`` on the bus may set any source but ``aws.*``.
The template keeps ``questline`` to Questline's own roles (the bus policy) and lets the rule
deliver only trusted sources; this check refuses anything else that still reaches the function
(a rule edited by hand, a direct invocation), so an untrusted request never becomes a grant.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from questline.config import Settings
from questline.errors import UntrustedSourceError
from questline.models.api import AwardResponse, BusAwardRequest
from questline.services.awards import grant_award
from questline.services.runtime import Runtime
from questline.storage.bus import SOURCE

logger = logging.getLogger(__name__)


def award_sources(settings: Settings) -> frozenset[str]:
    """The bus sources whose award requests are granted."""
    return frozenset({SOURCE, *settings.trusted_award_sources})


def grant_requested_award(event: Mapping[str, Any], runtime: Runtime) -> AwardResponse:
    """Grant the award an EventBridge event requests, or raise :class:`UntrustedSourceError`
    before reading its detail. A trusted source other than Questline's speaks only for itself:
    the ledger records its actor as ``<source>:<actor>``."""
    source = event.get("source")
    if not isinstance(source, str) or source not in award_sources(runtime.settings):
        logger.warning(
            "award request refused",
            extra={"reason": UntrustedSourceError.reason, "source": source, "event_id": event.get("id")},
        )
        raise UntrustedSourceError(source, "awards")
    request = BusAwardRequest.model_validate(event.get("detail"))
    actor = request.actor if source == SOURCE else f"{source}:{request.actor}"
    return grant_award(request.user_id, request, actor, runtime)

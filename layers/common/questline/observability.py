"""Logger and Metrics, configured once for every function (Powertools, JSON logs).

Tracer is deliberately absent: the X-Ray SDK builds botocore clients at import and costs
~0.6 s of cold start on every function.
"""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

SERVICE = "questline"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Questline", service=SERVICE)

# Layer modules log through the standard library; give them the same JSON format and level.
copy_config_to_registered_loggers(source_logger=logger, include={"questline"})
logging.getLogger("questline").setLevel(logger.log_level)

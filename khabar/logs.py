"""Structured logging for every khabar command: JSON lines for machines, key=value for people."""

from __future__ import annotations

import logging
import sys

import structlog

from contracts.settings import Settings


def configure_logging(settings: Settings) -> None:
    """Route stdlib and structlog records through one renderer chosen by ``KHABAR_LOG_FORMAT``."""
    as_json = settings.log_format == "json" or (settings.log_format == "auto" and not sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if as_json else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # The Kafka clients are chatty at INFO; their warnings still show.
    for noisy in ("kafka", "aiokafka", "elastic_transport"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # kafka-python 3 warns whenever its I/O thread is slow (a busy CPU, not a fault the user can act on).
    logging.getLogger("kafka.net.selector").setLevel(max(logging.ERROR, root.level))

"""Errors raised by the processors, all under :class:`ProcessorError` (itself a :class:`KhabarError`).

One line per class; the message names the bad input (the article id, the file, the field).
"""

from __future__ import annotations

from contracts.errors import KhabarError


class ProcessorError(KhabarError):
    """Root of every error the processors raise on purpose."""


class PoisonMessageError(ProcessorError):
    """A message cannot be read (bad JSON, unknown schema version, missing fields): a dead letter."""


class OversizeError(ProcessorError):
    """A message, or what a stage made of it, is too big for a Kafka message; names the size and the limit."""


class ClusterConfigError(ProcessorError):
    """A clustering constant is out of range; the message names the field and its value."""


class ClusterStateError(ProcessorError):
    """A clustering state entry cannot be read back; the message names the key."""


class GazetteerError(ProcessorError):
    """The gazetteer data cannot be read or holds a bad place; the message names it and how to rebuild."""


class EnrichmentError(ProcessorError):
    """An article or a document-frequency snapshot cannot be enriched or read; the message names it."""


class DedupeStateError(ProcessorError):
    """Dedupe window state is inconsistent or unreadable (a bad Fingerprint, a missing original); names it."""


class AlertStateError(ProcessorError):
    """An alert rule or an alert state entry is invalid (an empty watch term, unreadable bytes); names it."""

"""Errors raised by the processors, all under :class:`ProcessorError` (itself a :class:`KhabarError`).

One line per class; the message names the bad input (the article id, the file, the field).
"""

from __future__ import annotations

from contracts.errors import KhabarError


class ProcessorError(KhabarError):
    """Root of every error the processors raise on purpose."""


class PoisonMessageError(ProcessorError):
    """A message cannot be read (bad JSON, unknown schema version, missing fields): a dead letter."""

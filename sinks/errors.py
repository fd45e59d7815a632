"""Errors of the sinks."""

from __future__ import annotations

from contracts.errors import KhabarError


class SinkError(KhabarError):
    """Root of the errors raised by ``sinks``."""


class TemplateError(SinkError):
    """An index template in ``sinks/mappings`` is missing or invalid; the message names the file."""

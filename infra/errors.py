"""Errors of the infrastructure commands (local stack, topics, reading and republishing records)."""

from __future__ import annotations

from contracts.errors import KhabarError


class InfraError(KhabarError):
    """Root of the errors raised by ``infra``."""


class ToolMissingError(InfraError):
    """Java or Maven is missing or too old; the message names the fix."""


class FetchError(InfraError):
    """The Maven fetch of an engine, or the build of the Arabic analysis plugin, failed."""


class StackError(InfraError):
    """A local engine did not start, stop or answer; the message points at its log."""


class KafkaUnreachableError(InfraError):
    """No broker of the configured cluster answered (down, wrong address, or a refused login)."""


class RepublishError(InfraError):
    """Kafka did not take a message published again; the message names the topic and the error."""

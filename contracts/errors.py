"""The error root of khabar.

Every package raises a subclass of :class:`KhabarError`, so a caller can catch one type::

    KhabarError
    ├── ConfigError         a setting is missing or invalid
    ├── SchemaError         a record does not match its schema (bad JSON, wrong kind, unknown version)
    └── TopicError          a topic spec is invalid or a topic is missing
"""

from __future__ import annotations


class KhabarError(Exception):
    """Root of every error khabar raises on purpose."""


class ConfigError(KhabarError):
    """A setting is missing or invalid; the message names the setting and its env var."""


class SchemaError(KhabarError):
    """A record does not match its schema; the message names the record and what is wrong."""


class TopicError(KhabarError):
    """A topic spec is invalid, or a topic the pipeline needs is missing."""

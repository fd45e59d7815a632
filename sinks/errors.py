"""Errors of the sinks."""

from __future__ import annotations

from contracts.errors import KhabarError


class SinkError(KhabarError):
    """Root of the errors raised by ``sinks``."""


class ElasticsearchUnreachableError(SinkError):
    """Elasticsearch did not answer, or refused the login; the message names the address and the settings."""


class TemplateError(SinkError):
    """An index template in ``sinks/mappings`` is missing or invalid; the message names the file."""


class BulkRequestError(SinkError):
    """Elasticsearch refused a whole request for a reason retrying cannot fix (e.g. 401, 403, 400)."""


class KibanaError(SinkError):
    """Kibana refused the saved objects, or they are invalid; the message names the object and the problem."""


class SearchError(SinkError):
    """A search request is invalid (e.g. ``--since 3x``); the message names the input and the right form."""

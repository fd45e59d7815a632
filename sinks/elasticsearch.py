"""Elasticsearch adapter: clients for the configured cluster, and the index templates applied (idempotent)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import AsyncElasticsearch, AuthenticationException, Elasticsearch

from contracts.settings import ElasticsearchSettings
from sinks.errors import ElasticsearchUnreachableError
from sinks.indices import IndexNames, rename_template
from sinks.templates import (
    ALERTS_ALIAS,
    ARTICLES_ALIAS,
    COMPONENT,
    DUPLICATES_ALIAS,
    STORIES_ALIAS,
    Templates,
    load_templates,
)


def _options(settings: ElasticsearchSettings) -> dict[str, Any]:
    options: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    if settings.api_key:
        options["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password:
        options["basic_auth"] = (settings.username, settings.password.get_secret_value())
    if settings.ca_certs:
        options["ca_certs"] = str(settings.ca_certs)
    options["verify_certs"] = settings.verify_certs
    return options


def client(settings: ElasticsearchSettings) -> Elasticsearch:
    """A client for the configured cluster, credentials included."""
    return Elasticsearch(settings.hosts, **_options(settings))


@contextmanager
def answering(settings: ElasticsearchSettings) -> Iterator[None]:
    """Requests of a command to the configured cluster: no answer, or a refused login, becomes one
    :class:`ElasticsearchUnreachableError` that names the address and the settings to check."""
    hosts = ", ".join(settings.hosts)
    try:
        yield
    except AuthenticationException as exc:
        raise ElasticsearchUnreachableError(
            f"Elasticsearch at {hosts} refused the login ({exc.message}): check "
            "KHABAR_ELASTICSEARCH__USERNAME and __PASSWORD, or KHABAR_ELASTICSEARCH__API_KEY"
        ) from None
    except (TransportConnectionError, ConnectionTimeout) as exc:
        raise ElasticsearchUnreachableError(
            f"Elasticsearch did not answer at {hosts} ({type(exc).__name__}: {exc.message}): start the local "
            "stack (khabar stack up) or set KHABAR_ELASTICSEARCH__HOSTS (with TLS, also __CA_CERTS)"
        ) from None


def async_client(settings: ElasticsearchSettings, *, hosts: list[str] | None = None) -> AsyncElasticsearch:
    """An asyncio client for the configured cluster (or ``hosts``), credentials included, no client retries.

    The sinks retry whole batches themselves (with backoff, for as long as it takes), so the transport's own
    retries are off.
    """
    return AsyncElasticsearch(hosts or settings.hosts, max_retries=0, **_options(settings))


def setup(
    es: Elasticsearch, templates: Templates | None = None, names: IndexNames | None = None
) -> list[str]:
    """Put the component and index templates, add their fields to the indices that exist already, and make
    sure the stories, duplicates and alerts indices exist.

    Safe to repeat. After an upgrade that adds a field (the stories' ``about``), running it again puts the
    field into the existing indices too; a changed field cannot be put, and Elasticsearch's refusal names it
    (reindex, docs/operations.md). ``names`` re-targets the templates at another prefix (tests use a uuid
    prefix).
    """
    templates = templates or load_templates()
    names = names or IndexNames()
    targets = {
        ARTICLES_ALIAS: (names.articles_alias, names.articles_pattern),
        STORIES_ALIAS: (names.stories_alias, f"{names.stories_alias}-*"),
        DUPLICATES_ALIAS: (names.duplicates_alias, f"{names.duplicates_alias}-*"),
        ALERTS_ALIAS: (names.alerts_alias, f"{names.alerts_alias}-*"),
    }
    done = []
    es.cluster.put_component_template(name=COMPONENT, body=templates.component)
    done.append(f"component template {COMPONENT}")
    for name, body in templates.index.items():
        alias, pattern = targets[name]
        es.indices.put_index_template(name=alias, body=rename_template(body, alias=alias, pattern=pattern))
        done.append(f"index template {alias}")
        if es.indices.exists(index=pattern, allow_no_indices=False):
            es.indices.put_mapping(index=pattern, body=body["template"]["mappings"])
            done.append(f"mappings of {pattern}")
    # Articles get monthly indices by publish date as they are written; the others live in one index each.
    for alias, index in (
        (names.stories_alias, names.stories_index),
        (names.duplicates_alias, names.duplicates_index),
        (names.alerts_alias, names.alerts_index),
    ):
        if not es.indices.exists_alias(name=alias):
            es.indices.create(index=index)
            done.append(f"index {index}")
    return done

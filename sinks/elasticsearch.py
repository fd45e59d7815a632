"""Elasticsearch adapter: apply the index templates (idempotent)."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from contracts.settings import ElasticsearchSettings
from sinks.templates import COMPONENT, STORIES_ALIAS, Templates, load_templates

STORIES_INDEX = "khabar-stories-000001"


def client(settings: ElasticsearchSettings) -> Elasticsearch:
    """A client for the configured cluster, credentials included."""
    options: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    if settings.api_key:
        options["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password:
        options["basic_auth"] = (settings.username, settings.password.get_secret_value())
    if settings.ca_certs:
        options["ca_certs"] = str(settings.ca_certs)
    options["verify_certs"] = settings.verify_certs
    return Elasticsearch(settings.hosts, **options)


def setup(es: Elasticsearch, templates: Templates | None = None) -> list[str]:
    """Put the component and index templates and make sure the stories index exists; safe to repeat."""
    templates = templates or load_templates()
    done = []
    es.cluster.put_component_template(name=COMPONENT, body=templates.component)
    done.append(f"component template {COMPONENT}")
    for name, body in templates.index.items():
        es.indices.put_index_template(name=name, body=body)
        done.append(f"index template {name}")
    # Articles get monthly indices by publish date as they are written; stories live in one index.
    if not es.indices.exists_alias(name=STORIES_ALIAS):
        es.indices.create(index=STORIES_INDEX)
        done.append(f"index {STORIES_INDEX}")
    return done

"""Fixtures of the sink integration tests: a uuid index prefix with the repo's templates applied to it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from contracts.settings import Settings
from sinks.bulk import Backoff, BulkWriter
from sinks.elasticsearch import async_client, client, setup
from sinks.indexer import Indexer
from sinks.indices import IndexNames


def drop_prefix(es: Any, names: IndexNames) -> None:
    """Delete every index and index template of a test prefix, by explicit name."""
    indices = list(es.indices.get(index=names.all_pattern, expand_wildcards="all"))
    if indices:
        es.indices.delete(index=",".join(indices), ignore_unavailable=True)
    for template in names.aliases:
        es.options(ignore_status=404).indices.delete_index_template(name=template)


@pytest.fixture
def sink_names(stack: Settings) -> Iterator[IndexNames]:
    """A fresh index prefix (``test-<uuid>``) with the templates, the stories and duplicates indices."""
    names = IndexNames(f"test-{uuid.uuid4().hex[:10]}")
    es = client(stack.elasticsearch)
    setup(es, names=names)
    yield names
    drop_prefix(es, names)
    es.close()


@pytest.fixture
async def indexer(stack: Settings, sink_names: IndexNames) -> AsyncIterator[Indexer]:
    es = async_client(stack.elasticsearch)
    yield Indexer(BulkWriter(es, backoff=Backoff(initial_s=0.05, max_s=0.5)), sink_names)
    await es.close()

"""Elasticsearch goes away mid-stream (a proxy between the sink and it is cut) and nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from contracts.settings import Settings
from sinks.bulk import Backoff, BulkWriter
from sinks.elasticsearch import async_client
from sinks.indexer import Indexer
from sinks.indices import IndexNames
from tests.integration.sinks.tcp_proxy import TcpProxy
from tests.unit.sinks.factories import clustered, story

BATCHES = 12
BATCH_SIZE = 25
OUTAGE_S = 4.0


@pytest.fixture
async def proxy(stack: Settings) -> AsyncIterator[TcpProxy]:
    upstream = urlsplit(stack.elasticsearch.hosts[0])
    proxy = TcpProxy(upstream.hostname or "127.0.0.1", upstream.port or 9200)
    await proxy.start()
    yield proxy
    await proxy.cut()


async def test_elasticsearch_down_mid_stream_loses_nothing(
    stack: Settings, sink_names: IndexNames, proxy: TcpProxy
) -> None:
    retried: list[str] = []
    es = async_client(stack.elasticsearch, hosts=[proxy.url])
    writer = BulkWriter(
        es, backoff=Backoff(initial_s=0.1, max_s=1.0), on_retry=lambda what, _delay: retried.append(what)
    )
    indexer = Indexer(writer, sink_names)
    batches = [[clustered(story_id=f"s{b}") for _ in range(BATCH_SIZE)] for b in range(BATCHES)]
    halfway = asyncio.Event()

    async def stream() -> None:
        for number, batch in enumerate(batches):
            result = await indexer.index_articles(batch)
            assert not result.outcome.failures
            await indexer.index_stories([story(f"s{number}", 1)])
            if number == BATCHES // 3:
                halfway.set()

    async def outage() -> None:
        await halfway.wait()
        await proxy.cut()
        await asyncio.sleep(OUTAGE_S)
        await proxy.restore()

    try:
        await asyncio.gather(stream(), outage())
    finally:
        await es.close()

    assert retried, "the outage never reached the writer: the test did not test anything"
    direct = async_client(stack.elasticsearch)
    try:
        await direct.indices.refresh(index=sink_names.all_pattern)
        articles = await direct.count(index=sink_names.articles_alias)
        stories = await direct.count(index=sink_names.stories_alias)
        ids = {
            hit["_id"]
            for hit in (await direct.search(index=sink_names.articles_alias, size=BATCHES * BATCH_SIZE))[
                "hits"
            ]["hits"]
        }
    finally:
        await direct.close()
    assert articles["count"] == BATCHES * BATCH_SIZE
    assert stories["count"] == BATCHES
    assert ids == {r.article.id for batch in batches for r in batch}

"""Elasticsearch itself is restarted mid-stream (the real process, stopped and started again by the local
stack) and the sink loses nothing: its batches wait with backoff and complete once Elasticsearch is back."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from contracts.settings import Settings
from infra.local.stack import LocalStack
from sinks.bulk import Backoff, BulkWriter
from sinks.elasticsearch import async_client
from sinks.indexer import Indexer
from sinks.indices import IndexNames
from tests.unit.sinks.factories import clustered, story

BATCHES = 8
BATCH_SIZE = 20


def _restart_elasticsearch(settings: Settings) -> None:
    local = LocalStack(settings, log=lambda line: None)
    pid = int(local.elasticsearch.pid_file.read_text().strip())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 120
    while local.elasticsearch_health().healthy or _alive(pid):
        if time.monotonic() > deadline:
            raise AssertionError(f"Elasticsearch (pid {pid}) did not stop within 120 s")
        time.sleep(0.5)
    local.up()  # starts the engine that is down, waits for green/yellow; Kafka is left alone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_elasticsearch_restarted_mid_stream_loses_nothing(
    stack: Settings, sink_names: IndexNames
) -> None:
    retried: list[str] = []
    es = async_client(stack.elasticsearch)
    writer = BulkWriter(
        es, backoff=Backoff(initial_s=0.2, max_s=2.0), on_retry=lambda what, _d: retried.append(what)
    )
    indexer = Indexer(writer, sink_names)
    batches = [[clustered(story_id=f"r{b}") for _ in range(BATCH_SIZE)] for b in range(BATCHES)]
    halfway = asyncio.Event()
    restarted = asyncio.Event()

    async def stream() -> None:
        for number, batch in enumerate(batches):
            if number == BATCHES // 2:
                halfway.set()
                await asyncio.sleep(1.0)  # let the restart begin before the next batch
            result = await indexer.index_articles(batch)
            assert not result.outcome.failures
            await indexer.index_stories([story(f"r{number}", 1)])

    async def restart() -> None:
        await halfway.wait()
        await asyncio.to_thread(_restart_elasticsearch, stack)
        restarted.set()

    try:
        await asyncio.gather(stream(), restart())
    finally:
        await es.close()

    assert restarted.is_set()
    assert retried, "the restart never reached the writer: the test did not test anything"
    direct = async_client(stack.elasticsearch)
    try:
        await direct.cluster.health(index=sink_names.all_pattern, wait_for_status="yellow", timeout="60s")
        await direct.indices.refresh(index=sink_names.all_pattern)
        articles = await direct.count(index=sink_names.articles_alias)
        stories = await direct.count(index=sink_names.stories_alias)
    finally:
        await direct.close()
    assert articles["count"] == BATCHES * BATCH_SIZE
    assert stories["count"] == BATCHES

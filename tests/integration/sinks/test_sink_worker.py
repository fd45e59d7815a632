"""A real sink worker (`khabar sink`) on uuid topics: exact counts, dead letters, commits only after indexing.

Elasticsearch is reached through a TCP proxy that starts *cut*: the worker takes a batch and cannot index it,
and its consumer group must not commit anything meanwhile. Then the proxy is restored and every record lands.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from elasticsearch import ApiError
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from contracts.schemas import DeadLetter, decode, encode
from contracts.settings import Settings
from contracts.topics import Topic
from infra.topics import admin_client
from sinks.elasticsearch import client
from sinks.indices import IndexNames
from tests.conftest import ROOT
from tests.integration.sinks.tcp_proxy import TcpProxy
from tests.unit.sinks.factories import clustered, duplicate, story

T = TypeVar("T")
TOPICS = (Topic.CLUSTERED, Topic.DUPLICATES, Topic.STORIES, Topic.DEADLETTER)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(what: str, probe: Callable[[], T | None], timeout_s: float, log: Path) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


class ThreadedProxy:
    """The asyncio proxy on its own loop in a thread, driven from synchronous test code."""

    def __init__(self, host: str, port: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.proxy = TcpProxy(host, port)
        self._run(self.proxy.start())

    def _run(self, coro: Any) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def cut(self) -> None:
        self._run(self.proxy.cut())

    def restore(self) -> None:
        self._run(self.proxy.restore())

    def close(self) -> None:
        self._run(self.proxy.cut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def proxy(stack: Settings) -> Iterator[ThreadedProxy]:
    upstream = urlsplit(stack.elasticsearch.hosts[0])
    threaded = ThreadedProxy(upstream.hostname or "127.0.0.1", upstream.port or 9200)
    yield threaded
    threaded.close()


@pytest.fixture
def sink_topics(stack: Settings) -> Iterator[str]:
    """A uuid topic prefix with the four topics the sinks use, two partitions each."""
    prefix = f"test-{uuid.uuid4().hex[:10]}."
    names = [prefix + t.value for t in TOPICS]
    admin = admin_client(stack.kafka)
    admin.create_topics([NewTopic(name, 2, 1) for name in names])
    admin.wait_for_topics(names, timeout_ms=30000)
    yield prefix
    admin.delete_topics(names)
    admin.close()


def _metric(port: int, name: str) -> float:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))


def _committed(stack: Settings, group: str) -> dict[str, int]:
    admin = admin_client(stack.kafka)
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    totals: dict[str, int] = {}
    for tp, meta in offsets.items():
        totals[tp.topic] = totals.get(tp.topic, 0) + max(meta.offset, 0)
    return totals


def _ends(stack: Settings, topics: list[str]) -> dict[str, int]:
    consumer = KafkaConsumer(bootstrap_servers=stack.kafka.bootstrap)
    try:
        parts = [TopicPartition(t, p) for t in topics for p in (0, 1)]
        ends = consumer.end_offsets(parts)
    finally:
        consumer.close()
    totals: dict[str, int] = {}
    for tp, end in ends.items():
        totals[tp.topic] = totals.get(tp.topic, 0) + end
    return totals


def test_sink_worker_indexes_everything_and_commits_only_after_elasticsearch(
    stack: Settings, sink_names: IndexNames, sink_topics: str, proxy: ThreadedProxy, tmp_path: Path
) -> None:
    articles = [clustered(story_id=f"s{i % 5}") for i in range(40)]
    bad = clustered(keywords=["ك" * 20000])  # refused by Elasticsearch: an immense keyword
    duplicates = [duplicate(articles[0].article.id), duplicate("f" * 16)]  # the second has no original
    stories = [story(f"s{i}", v) for i in range(5) for v in (1, 2)]
    app_id = f"test-sink-{uuid.uuid4().hex[:10]}"
    metrics_port = _free_port()
    topic = {t: sink_topics + t.value for t in TOPICS}

    proxy.cut()  # Elasticsearch is away when the worker starts
    producer = KafkaProducer(bootstrap_servers=stack.kafka.bootstrap)
    for record in [*articles, bad]:
        producer.send(topic[Topic.CLUSTERED], key=record.article.id.encode(), value=encode(record))
    producer.send(topic[Topic.CLUSTERED], key=b"poison", value=b'{"kind": "clustered_article", "oops"')
    for dup in duplicates:
        producer.send(topic[Topic.DUPLICATES], key=dup.article_id.encode(), value=encode(dup))
    for snapshot in stories:
        producer.send(topic[Topic.STORIES], key=snapshot.story_id.encode(), value=encode(snapshot))
    producer.flush(timeout=30)
    producer.close()

    env = dict(
        os.environ,
        KHABAR_DATA_DIR=str(tmp_path),
        KHABAR_TOPICS__PREFIX=sink_topics,
        KHABAR_TOPICS__PARTITIONS="2",
        KHABAR_ELASTICSEARCH__HOSTS=proxy.proxy.url,
        KHABAR_SINKS__APP_ID=app_id,
        KHABAR_SINKS__INDEX_PREFIX=sink_names.prefix,
        KHABAR_SINKS__METRICS_PORT=str(metrics_port),
        KHABAR_SINKS__BULK_MAX_SECONDS="0.3",
        KHABAR_SINKS__RETRY_INITIAL_S="0.2",
        KHABAR_SINKS__RETRY_MAX_S="0.5",
    )
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "khabar", "sink", "--skip-setup"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    es = client(stack.elasticsearch)
    try:
        # The worker holds batches it cannot index; it has retried for longer than Faust's commit interval.
        _wait_for(
            "retries while Elasticsearch is away",
            lambda: _metric(metrics_port, "khabar_sink_retries_total") >= 15,
            120,
            log,
        )
        assert not any(_committed(stack, app_id).values()), (
            "offsets were committed before Elasticsearch acked"
        )

        proxy.restore()

        def indexed() -> bool:
            try:
                es.indices.refresh(index=sink_names.all_pattern)
                return counts()
            except ApiError:  # a monthly index just being created: its shard is not ready yet
                return False

        def counts() -> bool:
            return (
                es.count(index=sink_names.articles_pattern)["count"] == len(articles)
                and es.count(index=sink_names.stories_alias)["count"] == 5
                and es.count(index=sink_names.duplicates_alias)["count"] == 2
            )

        _wait_for("every record in Elasticsearch", indexed, 120, log)
        sources = [topic[Topic.CLUSTERED], topic[Topic.DUPLICATES], topic[Topic.STORIES]]
        ends = _ends(stack, sources)
        _wait_for("offsets committed up to the end", lambda: _committed(stack, app_id) == ends, 60, log)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    try:
        es_stories = es.search(index=sink_names.stories_alias, size=10)["hits"]["hits"]
        original = es.get(
            index=sink_names.article_index(articles[0].article.published), id=articles[0].article.id
        )
    finally:
        es.close()

    assert {h["_id"]: h["_source"]["version"] for h in es_stories} == {f"s{i}": 2 for i in range(5)}
    assert original["_source"]["also_published_by"] == ["okaz"]

    consumer = KafkaConsumer(
        topic[Topic.DEADLETTER],
        bootstrap_servers=stack.kafka.bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5000,
    )
    letters = [decode(message.value, DeadLetter) for message in consumer]
    consumer.close()
    assert sorted(letter.key or "" for letter in letters) == sorted([bad.article.id, "poison"])
    poison = next(letter for letter in letters if letter.key == "poison")
    assert poison.error_type == "SchemaError"
    assert poison.payload == '{"kind": "clustered_article", "oops"'
    refused = next(letter for letter in letters if letter.key == bad.article.id)
    assert json.loads(refused.payload)["article"]["id"] == bad.article.id
    assert refused.source_topic == topic[Topic.CLUSTERED]
    assert refused.stage == "sinks"

"""The whole stack, no mocks: kafka-python → a real Faust worker and its table → Arabic search in ES."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from contracts.schemas import RawArticle, encode
from contracts.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _article() -> RawArticle:
    now = datetime.now(UTC)
    article_id = uuid.uuid4().hex[:16]
    return RawArticle(
        id=article_id,
        url=f"https://example.sa/news/{article_id}",
        canonical_url=f"https://example.sa/news/{article_id}",
        outlet="smoke",
        title="تقدم المعارضة السورية نحو ريف اللاذقية",
        content="قالت المعارضة السورية إنها سيطرت على قرى جديدة.",
        published=now,
        fetched_at=now,
    )


def _read_changelog(settings: Settings, topic: str, key: str, timeout_s: float) -> str | None:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=2000,
    )
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for message in consumer:
                if message.key is not None and json.loads(message.key) == key:
                    value: str = json.loads(message.value)
                    return value
    finally:
        consumer.close()
    return None


def _wait_for_topic(settings: Settings, topic: str, timeout_s: float) -> None:
    from infra.topics import admin_client

    admin = admin_client(settings.kafka)
    try:
        deadline = time.monotonic() + timeout_s
        while topic not in set(admin.list_topics()):
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker never created {topic}")
            time.sleep(1)
    finally:
        admin.close()


def test_article_flows_from_kafka_through_faust_table_to_arabic_search(
    stack: Settings,
    topic_factory: Callable[..., str],
    index_factory: Callable[..., str],
    es: Any,
    tmp_path: Path,
) -> None:
    topic = topic_factory("smoke-raw")
    app_id = f"smoke-{uuid.uuid4().hex[:10]}"
    article = _article()

    # 1. kafka-python publishes a JSON article, keyed by its id.
    producer = KafkaProducer(bootstrap_servers=stack.kafka.bootstrap, acks="all")
    producer.send(
        topic, key=article.id.encode(), value=encode(article), headers=[("schema", b"raw_article/1")]
    )
    producer.flush(timeout=30)
    producer.close()

    # 2. A real Faust worker consumes it and writes it to a table (backed by a changelog topic).
    env = dict(
        os.environ,
        SMOKE_APP_ID=app_id,
        SMOKE_TOPIC=topic,
        SMOKE_DATADIR=str(tmp_path / "faust"),
        KHABAR_KAFKA__BOOTSTRAP_SERVERS=stack.kafka.bootstrap,
    )
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "faust", "-A", "tests.integration.smoke_app", "worker", "-l", "info"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    changelog = f"{app_id}-titles-changelog"
    try:
        _wait_for_topic(stack, changelog, timeout_s=120)
        title = _read_changelog(stack, changelog, article.id, timeout_s=120)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert title == article.title, f"worker log:\n{log_path.read_text()[-3000:]}"

    # 3. Elasticsearch's Arabic analyzer finds it by differently inflected queries, and not by a lookalike.
    index = index_factory("smoke-articles")
    es.indices.create(
        index=index,
        mappings={"properties": {"title": {"type": "text", "analyzer": "arabic"}}},
        settings={"number_of_shards": 1, "number_of_replicas": 0},
    )
    es.index(index=index, id=article.id, document={"title": title})
    es.index(index=index, id="lookalike", document={"title": "عرض أسود في المعرض"})
    es.indices.refresh(index=index)

    def hits(query: str) -> list[str]:
        response = es.search(index=index, query={"match": {"title": query}})
        return [hit["_id"] for hit in response["hits"]["hits"]]

    assert hits("معارضة") == [article.id]
    assert hits("والمعارضين") == [article.id]
    assert hits("السوري") == [article.id]
    assert article.id not in hits("الأسد")

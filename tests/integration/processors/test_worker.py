"""The processors worker for real: real Kafka, a real Faust worker process, killed and restarted mid-stream.

Every raw message ends in exactly one place (enriched, duplicates or dead letters), nothing is lost or
duplicated across a ``kill -9``, and the story assignments equal those of the same stages run in-process
without interruption (recovery from the changelogs gives the same decisions).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from contracts.schemas import ClusteredArticle, DeadLetter, Duplicate, StoryUpdate, encode
from contracts.settings import Settings, TopicSettings
from contracts.topics import Topic, topic_name, topic_specs
from infra.topics import admin_client, client_config, ensure_topics
from producers.corpus import read_corpus, to_raw_article
from tests.conftest import ROOT, shared_dir

ARTICLES = 240
POISON = {
    "poison-json": b"{not json",
    # a whole, valid article but for its schema version: the version alone must send it to dead letters
    "poison-version": json.dumps(
        {
            "kind": "raw_article",
            "schema_version": 99,
            "id": "abcdef0123456789",
            "url": "https://x.example/1",
            "canonical_url": "https://x.example/1",
            "outlet": "x",
            "title": "عنوان",
            "published": "2015-08-08T09:00:00Z",
            "fetched_at": "2015-08-08T09:00:00Z",
        }
    ).encode(),
    "poison-fields": json.dumps(
        {"kind": "raw_article", "schema_version": 1, "id": "abcdef0123456789"}
    ).encode(),
}


@dataclass
class Pipeline:
    settings: Settings
    topics: TopicSettings
    env: dict[str, str]
    logs: Path

    def name(self, topic: Topic) -> str:
        return topic_name(topic, self.topics)

    def start(self) -> subprocess.Popen[bytes]:
        log = self.logs.open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "khabar", "process"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


@pytest.fixture
def pipeline(stack: Settings, tmp_path: Path) -> Iterator[Pipeline]:
    run = uuid.uuid4().hex[:10]
    topics = TopicSettings(prefix=f"t{run}.", partitions=1)
    app_id = f"test-processors-{run}"
    admin = admin_client(stack.kafka)
    ensure_topics(admin, topic_specs(topics))
    env = os.environ | {
        "KHABAR_TOPICS__PREFIX": topics.prefix,
        "KHABAR_TOPICS__PARTITIONS": "1",
        "KHABAR_PROCESSORS__APP_ID": app_id,
        "KHABAR_PROCESSORS__STORE": "rocksdb://",
        "KHABAR_DATA_DIR": str(tmp_path / "data"),
        "KHABAR_LOG_FORMAT": "json",
        "KHABAR_PROCESSORS__METRICS_PORT": "0",
    }
    yield Pipeline(stack, topics, env, tmp_path / "worker.log")
    created = [name for name in admin.list_topics() if name.startswith((topics.prefix, app_id))]
    if created:
        admin.delete_topics(created)
    admin.close()


def _raw_payloads() -> list[tuple[str, bytes]]:
    day = shared_dir() / "data" / "saudinewsnet" / "2015-08-08.zip"
    if not day.exists():
        pytest.skip(f"{day} is absent (../shared not beside the project)")
    articles = [to_raw_article(item) for item in read_corpus(day)[:ARTICLES]]
    return [(article.id, encode(article)) for article in articles]


def _consume(settings: Settings, topic: str) -> list[tuple[str, bytes]]:
    consumer = KafkaConsumer(
        topic,
        **client_config(settings.kafka, "test"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1500,
    )
    try:
        return [(m.key.decode(), m.value) for m in consumer]
    finally:
        consumer.close()


def _wait_for(
    check: Callable[[], bool], timeout_s: float, what: str, log: Path, worker: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if worker.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            state = "timed out" if worker.poll() is None else f"the worker exited ({worker.returncode})"
            pytest.fail(f"{state} waiting for {what}; worker log tail:\n{tail}")
        time.sleep(2)


def test_kill_and_restart_loses_and_duplicates_nothing(pipeline: Pipeline) -> None:
    from processors.deadletters import Source
    from processors.stages import ClusterStage, DedupeStage, EnrichStage

    payloads = _raw_payloads()
    settings = pipeline.settings
    producer = KafkaProducer(**client_config(settings.kafka, "test"), acks="all")
    raw = pipeline.name(Topic.RAW)
    outputs = [pipeline.name(t) for t in (Topic.ENRICHED, Topic.DUPLICATES, Topic.DEADLETTER)]

    def settled() -> int:
        return len({key for topic in outputs for key, _ in _consume(settings, topic)})

    half = len(payloads) // 2
    for key, value in payloads[:half]:
        producer.send(raw, key=key.encode(), value=value)
    for key, value in POISON.items():
        producer.send(raw, key=key.encode(), value=value)
    producer.flush()

    worker = pipeline.start()
    try:
        _wait_for(lambda: settled() >= 40, 180, "the first outputs", pipeline.logs, worker)
        worker.send_signal(signal.SIGKILL)  # mid-stream, no clean shutdown
        worker.wait(timeout=30)
        for key, value in payloads[half:]:
            producer.send(raw, key=key.encode(), value=value)
        producer.flush()
        worker = pipeline.start()
        total = len(payloads) + len(POISON)
        _wait_for(lambda: settled() >= total, 300, f"{total} settled messages", pipeline.logs, worker)
        clustered_topic = pipeline.name(Topic.CLUSTERED)
        _wait_for(
            lambda: (
                len({k for k, _ in _consume(settings, clustered_topic)})
                >= settled()
                - len(POISON)
                - len({k for k, _ in _consume(settings, pipeline.name(Topic.DUPLICATES))})
            ),
            120,
            "every enriched article clustered",
            pipeline.logs,
            worker,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        producer.close()

    enriched = {k for k, _ in _consume(settings, pipeline.name(Topic.ENRICHED))}
    duplicates = {k: v for k, v in _consume(settings, pipeline.name(Topic.DUPLICATES))}
    letters = {
        k: DeadLetter.model_validate_json(v) for k, v in _consume(settings, pipeline.name(Topic.DEADLETTER))
    }
    dead = set(letters)
    for key, letter in letters.items():  # the reason, and the original bytes, for every poison message
        assert (letter.stage, letter.payload.encode()) == ("intake", POISON[key])
        assert letter.reason
    assert "schema_version" in letters["poison-version"].reason
    ids = {key for key, _ in payloads}
    # Exactly one outcome per input: in = enriched + duplicates + dead letters.
    assert enriched.isdisjoint(duplicates)
    assert enriched | set(duplicates) == ids
    assert dead == set(POISON)
    assert len(enriched) + len(duplicates) + len(dead) == len(payloads) + len(POISON)

    # The same stages, in-process and uninterrupted, in the same order, decide the same.
    from datetime import timedelta

    from processors.dedupe import Deduper
    from processors.enrich import Enricher
    from processors.stories import StoryClusterer

    dedupe = DedupeStage(Deduper(window=timedelta(days=7)))
    enrich = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    cluster = ClusterStage(StoryClusterer())
    expected_story: dict[str, str] = {}
    expected_versions: dict[str, int] = {}
    expected_duplicates: set[str] = set()
    # A story's last version does not depend on the order in which its articles and wire copies reach the
    # clustering stage (a copy is one change, whether it waited for its original or not).
    for key, value in payloads:
        for output, out_key, out_value in dedupe.process(value, Source(key=key)).emits:
            if output == "duplicates":
                expected_duplicates.add(out_key)
                to_cluster = [out_value]
            else:
                to_cluster = [v for _, _, v in enrich.process(out_value, Source(key=out_key)).emits]
            for cluster_value in to_cluster:
                for output2, _, value2 in cluster.process(cluster_value, Source(key=out_key)).emits:
                    if output2 == "clustered":
                        record = ClusteredArticle.model_validate_json(value2)
                        expected_story[record.article.id] = record.story_id
                    else:
                        update = StoryUpdate.model_validate_json(value2)
                        expected_versions[update.story_id] = update.version
    assert set(duplicates) == expected_duplicates
    for value in duplicates.values():
        Duplicate.model_validate_json(value)
    actual_story: dict[str, str] = {}
    for key, value in _consume(settings, pipeline.name(Topic.CLUSTERED)):
        story = ClusteredArticle.model_validate_json(value).story_id
        assert actual_story.setdefault(key, story) == story, f"article {key} changed story on redelivery"
    assert actual_story == expected_story
    # Story updates: per story, versions never go back (a redelivery may repeat one), and each story ends at
    # the version the uninterrupted run gives it.
    last_version: dict[str, int] = {}
    for key, value in _consume(settings, pipeline.name(Topic.STORIES)):
        update = StoryUpdate.model_validate_json(value)
        assert update.story_id == key
        assert update.version >= last_version.get(key, 0), f"story {key} went back to {update.version}"
        last_version[key] = update.version
    assert last_version == expected_versions

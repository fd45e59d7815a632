"""Real processors workers (`khabar process` subprocesses) on uuid topics, and what they wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from contracts.schemas import encode
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

    def start(self, worker: str = "a") -> subprocess.Popen[bytes]:
        """One worker; workers of other names have their own state directory (as on other machines) and
        client id (``<worker>-processors``, as the group coordinator shows its members)."""
        log = self.logs.open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "khabar", "process"],
            env=self.env
            | {
                "KHABAR_DATA_DIR": self.env["KHABAR_DATA_DIR"] + f"-{worker}",
                "KHABAR_KAFKA__CLIENT_ID": worker,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


@pytest.fixture
def pipeline(request: pytest.FixtureRequest, stack: Settings, tmp_path: Path) -> Iterator[Pipeline]:
    """Topics of one run (``@pytest.mark.partitions(n)``; 1 by default) and the environment of its workers."""
    marker = request.node.get_closest_marker("partitions")
    partitions = marker.args[0] if marker else 1
    run = uuid.uuid4().hex[:10]
    topics = TopicSettings(prefix=f"t{run}.", partitions=partitions)
    app_id = f"test-processors-{run}"
    admin = admin_client(stack.kafka)
    ensure_topics(admin, topic_specs(topics))
    env = os.environ | {
        "KHABAR_TOPICS__PREFIX": topics.prefix,
        "KHABAR_TOPICS__PARTITIONS": str(partitions),
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


def raw_payloads() -> list[tuple[str, bytes]]:
    day = shared_dir() / "data" / "saudinewsnet" / "2015-08-08.zip"
    if not day.exists():
        pytest.skip(f"{day} is absent (../shared not beside the project)")
    articles = [to_raw_article(item) for item in read_corpus(day)[:ARTICLES]]
    return [(article.id, encode(article)) for article in articles]


def consume(settings: Settings, topic: str) -> list[tuple[str, bytes]]:
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


def wait_for(
    check: Callable[[], bool], timeout_s: float, what: str, log: Path, worker: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if worker.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            state = "timed out" if worker.poll() is None else f"the worker exited ({worker.returncode})"
            pytest.fail(f"{state} waiting for {what}; worker log tail:\n{tail}")
        time.sleep(2)

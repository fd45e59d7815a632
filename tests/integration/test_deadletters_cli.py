"""`khabar deadletters list|summary|replay` with CliRunner against uuid-named topics on the real Kafka."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from contracts.schemas import DeadLetter, encode
from contracts.settings import Settings, TopicSettings
from contracts.topics import Topic, topic_name
from infra.topics import admin_client, client_config
from khabar.cli import cli
from processors.deadletters import Source
from processors.deadletters import dead_letter as processor_letter
from sinks.deadletters import Origin
from sinks.deadletters import dead_letter as sink_letter

T0 = datetime.now(UTC) - timedelta(hours=1)


def _read(stack: Settings, topic: str, expected: int) -> list[tuple[bytes | None, bytes]]:
    consumer = KafkaConsumer(**client_config(stack.kafka, "test"), enable_auto_commit=False)
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    consumer.seek_to_beginning(partition)
    found: list[tuple[bytes | None, bytes]] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(found) < expected:
        found += [(r.key, r.value) for rs in consumer.poll(timeout_ms=500).values() for r in rs]
    time.sleep(1)  # and nothing more
    found += [(r.key, r.value) for rs in consumer.poll(timeout_ms=500).values() for r in rs]
    consumer.close()
    return found


def test_replay_publishes_the_original_messages_once_and_skips_what_it_cannot(
    stack: Settings, topic_factory: Callable[..., str]
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."  # the dead-letter topic of this prefix, made and dropped here
    deadletter = topic_name(Topic.DEADLETTER, TopicSettings(prefix=prefix))
    admin = admin_client(stack.kafka)
    admin.create_topics([NewTopic(deadletter, 1, 1)])
    try:
        _replay(stack, deadletter, prefix, topic_factory)
    finally:
        admin.delete_topics([deadletter])
        admin.close()


def _replay(stack: Settings, deadletter: str, prefix: str, topic_factory: Callable[..., str]) -> None:
    raw, clustered = topic_factory("raw"), topic_factory("clustered")
    article = '{"kind": "raw_article", "title": "أمطار غزيرة على أبها"}'.encode()
    letters = [
        processor_letter("dedupe", ValueError("missing title"), article, Source(raw, 0, 4, "a1"), now=T0),
        sink_letter(
            Origin(topic=clustered, partition=0, offset=9, key=b"a2", payload=b"\xff{"),
            reason="elasticsearch 400 mapper_parsing_exception: failed to parse [published]",
            error_type="mapper_parsing_exception",
            now=T0 + timedelta(minutes=1),
        ),
        DeadLetter(stage="feeds", reason="not a feed", error_type="ParseError", failed_at=T0),
    ]
    producer = KafkaProducer(**client_config(stack.kafka, "test"))
    for letter in letters:
        producer.send(deadletter, key=(letter.key or "").encode(), value=encode(letter))
    producer.send(deadletter, key=b"junk", value=b"not a dead letter")
    producer.flush()
    producer.close()
    env = {"KHABAR_TOPICS__PREFIX": prefix}

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["deadletters", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    listed = [json.loads(line) for line in run("list", "--json", "--stage", "sinks").splitlines()]
    assert [d["error_type"] for d in listed] == ["mapper_parsing_exception"]
    groups = [json.loads(line) for line in run("summary", "--json").splitlines()]
    assert sorted((g["stage"], g["count"]) for g in groups) == [("dedupe", 1), ("feeds", 1), ("sinks", 1)]
    assert "1 message(s) on the topic are not dead letters" in run("summary")
    assert "2 to replay, 1 skipped (dry run)" in run("replay", "--dry-run")
    assert _read(stack, raw, 0) == []  # a dry run publishes nothing

    out = run("replay")
    assert "no source topic" in out
    assert "replayed 2 message(s), skipped 1" in out
    assert _read(stack, raw, 1) == [(b"a1", article)]
    assert _read(stack, clustered, 1) == [(b"a2", b"\xff{")]
    # the hint of the last line leaves these letters out of the next replay
    since = out.rsplit("--since ", 1)[1].split()[0]
    assert "0 to replay" in run("replay", "--since", since)
    assert _read(stack, raw, 1) == [(b"a1", article)]

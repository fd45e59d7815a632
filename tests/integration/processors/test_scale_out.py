"""Scale-out for real: two processors workers (`khabar process`, one app id, each with its own state
directory) share the partitions; when one is killed mid-stream, the other takes over its partitions, the
single-partition global stages (dedupe, clustering) and their tables included, and finishes the stream.

Every raw message still ends in exactly one place, and no article changes story when it is delivered again.
The assignments themselves are not compared with an in-process run: with several partitions, the order in
which articles reach the global stages depends on timing (docs/operations.md, Scale-out).
"""

from __future__ import annotations

import signal

import pytest
from kafka import KafkaProducer

from contracts.schemas import ClusteredArticle, DeadLetter, StoryUpdate
from contracts.settings import Settings
from contracts.topics import Topic
from infra.topics import admin_client, client_config
from tests.conftest import stop
from tests.integration.processors.conftest import POISON, Pipeline, consume, raw_payloads, wait_for

PARTITIONS = 4


def _holdings(settings: Settings, group: str, topics: list[str]) -> dict[str, dict[str, set[int]]]:
    """Per member of the consumer group (by client id), the partitions of ``topics`` it holds, as the group
    coordinator describes them."""
    admin = admin_client(settings.kafka)
    try:
        info = admin.describe_groups([group])[group]
    finally:
        admin.close()
    held = {}
    for member in info.get("members", []):
        assigned = (member.get("member_assignment") or {}).get("assigned_partitions", [])
        held[member["client_id"]] = {
            topic: {p for a in assigned if a["topic"] == topic for p in a["partitions"]} for topic in topics
        }
    return held


@pytest.mark.partitions(PARTITIONS)
def test_two_workers_share_the_partitions_and_one_finishes_when_the_other_dies(pipeline: Pipeline) -> None:
    payloads = raw_payloads()
    settings = pipeline.settings
    group = pipeline.env["KHABAR_PROCESSORS__APP_ID"]
    raw = pipeline.name(Topic.RAW)
    dedupe, stories = f"{group}-dedupe", f"{group}-stories"  # the internal topics of the global stages
    outputs = [pipeline.name(t) for t in (Topic.ENRICHED, Topic.DUPLICATES, Topic.DEADLETTER)]

    def settled() -> int:
        return len({key for topic in outputs for key, _ in consume(settings, topic)})

    producer = KafkaProducer(**client_config(settings.kafka, "test"), acks="all")
    workers = {name: pipeline.start(name) for name in ("a", "b")}
    try:
        # Both workers hold partitions of the input: the work is shared, by partitions.
        def split() -> dict[str, dict[str, set[int]]]:
            held = _holdings(settings, group, [raw, stories])
            return {client: topics for client, topics in held.items() if topics[raw]}

        wait_for(lambda: len(split()) == 2, 240, "two workers sharing the input", pipeline.logs, workers["a"])
        held = split()
        assert set(held) == {"a-processors", "b-processors"}
        assert held["a-processors"][raw].isdisjoint(held["b-processors"][raw])
        assert held["a-processors"][raw] | held["b-processors"][raw] == set(range(PARTITIONS))
        # The one that holds the clustering stage's partition dies, so that the global stage has to move.
        victim = next(client for client, topics in held.items() if topics[stories])[0]
        survivor = workers["b" if victim == "a" else "a"]
        half = len(payloads) // 2
        for key, value in [*payloads[:half], *POISON.items()]:
            producer.send(raw, key=key.encode(), value=value)
        producer.flush()
        wait_for(lambda: settled() >= 40, 180, "the first outputs", pipeline.logs, survivor)
        workers[victim].send_signal(signal.SIGKILL)  # one machine gone, mid-stream
        workers[victim].wait(timeout=30)
        for key, value in payloads[half:]:
            producer.send(raw, key=key.encode(), value=value)
        producer.flush()
        total = len(payloads) + len(POISON)
        wait_for(lambda: settled() >= total, 420, f"{total} settled messages", pipeline.logs, survivor)
        # The survivor holds every input partition, and the global stages' single partitions.
        everything = {raw: set(range(PARTITIONS)), dedupe: {0}, stories: {0}}
        wait_for(
            lambda: list(_holdings(settings, group, list(everything)).values()) == [everything],
            120,
            "the survivor holding every partition",
            pipeline.logs,
            survivor,
        )
        duplicates_topic, clustered_topic = pipeline.name(Topic.DUPLICATES), pipeline.name(Topic.CLUSTERED)
        wait_for(
            lambda: (
                len({k for k, _ in consume(settings, clustered_topic)})
                >= settled() - len(POISON) - len({k for k, _ in consume(settings, duplicates_topic)})
            ),
            180,
            "every enriched article clustered",
            pipeline.logs,
            survivor,
        )
    finally:
        stop(*workers.values())
        producer.close()

    enriched = {k for k, _ in consume(settings, pipeline.name(Topic.ENRICHED))}
    duplicates = {k for k, _ in consume(settings, pipeline.name(Topic.DUPLICATES))}
    letters = [DeadLetter.model_validate_json(v) for _, v in consume(settings, outputs[2])]
    ids = {key for key, _ in payloads}
    assert enriched.isdisjoint(duplicates)
    assert enriched | duplicates == ids
    assert {letter.key for letter in letters} == set(POISON)
    story_of: dict[str, str] = {}
    for key, value in consume(settings, pipeline.name(Topic.CLUSTERED)):
        story = ClusteredArticle.model_validate_json(value).story_id
        assert story_of.setdefault(key, story) == story, f"article {key} changed story on redelivery"
    assert set(story_of) == enriched
    last_version: dict[str, int] = {}
    for key, value in consume(settings, pipeline.name(Topic.STORIES)):
        update = StoryUpdate.model_validate_json(value)
        assert update.version >= last_version.get(key, 0), f"story {key} went back to {update.version}"
        last_version[key] = update.version
    assert set(story_of.values()) <= set(last_version)

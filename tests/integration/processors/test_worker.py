"""The processors worker for real: real Kafka, a real Faust worker process, killed and restarted mid-stream.

Every raw message ends in exactly one place (enriched, duplicates or dead letters), nothing is lost or
duplicated across a ``kill -9``, and the story assignments equal those of the same stages run in-process
without interruption (recovery from the changelogs gives the same decisions).
"""

from __future__ import annotations

import signal

from kafka import KafkaProducer

from contracts.schemas import ClusteredArticle, DeadLetter, Duplicate, StoryUpdate
from contracts.topics import Topic
from infra.topics import client_config
from tests.conftest import stop
from tests.integration.processors.conftest import POISON, Pipeline, consume, raw_payloads, wait_for


def test_kill_and_restart_loses_and_duplicates_nothing(pipeline: Pipeline) -> None:
    from processors.deadletters import Source
    from processors.stages import ClusterStage, DedupeStage, EnrichStage

    payloads = raw_payloads()
    settings = pipeline.settings
    producer = KafkaProducer(**client_config(settings.kafka, "test"), acks="all")
    raw = pipeline.name(Topic.RAW)
    outputs = [pipeline.name(t) for t in (Topic.ENRICHED, Topic.DUPLICATES, Topic.DEADLETTER)]

    def settled() -> int:
        return len({key for topic in outputs for key, _ in consume(settings, topic)})

    half = len(payloads) // 2
    for key, value in payloads[:half]:
        producer.send(raw, key=key.encode(), value=value)
    for key, value in POISON.items():
        producer.send(raw, key=key.encode(), value=value)
    producer.flush()

    worker = pipeline.start()
    try:
        wait_for(lambda: settled() >= 40, 180, "the first outputs", pipeline.logs, worker)
        worker.send_signal(signal.SIGKILL)  # mid-stream, no clean shutdown
        worker.wait(timeout=30)
        for key, value in payloads[half:]:
            producer.send(raw, key=key.encode(), value=value)
        producer.flush()
        worker = pipeline.start()
        total = len(payloads) + len(POISON)
        wait_for(lambda: settled() >= total, 300, f"{total} settled messages", pipeline.logs, worker)
        clustered_topic = pipeline.name(Topic.CLUSTERED)
        wait_for(
            lambda: (
                len({k for k, _ in consume(settings, clustered_topic)})
                >= settled()
                - len(POISON)
                - len({k for k, _ in consume(settings, pipeline.name(Topic.DUPLICATES))})
            ),
            120,
            "every enriched article clustered",
            pipeline.logs,
            worker,
        )
    finally:
        stop(worker)
        producer.close()

    enriched = {k for k, _ in consume(settings, pipeline.name(Topic.ENRICHED))}
    duplicates = {k: v for k, v in consume(settings, pipeline.name(Topic.DUPLICATES))}
    letters = {
        k: DeadLetter.model_validate_json(v) for k, v in consume(settings, pipeline.name(Topic.DEADLETTER))
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
    for key, value in consume(settings, pipeline.name(Topic.CLUSTERED)):
        story = ClusteredArticle.model_validate_json(value).story_id
        assert actual_story.setdefault(key, story) == story, f"article {key} changed story on redelivery"
    assert actual_story == expected_story
    # Story updates: per story, versions never go back (a redelivery may repeat one), and each story ends at
    # the version the uninterrupted run gives it.
    last_version: dict[str, int] = {}
    for key, value in consume(settings, pipeline.name(Topic.STORIES)):
        update = StoryUpdate.model_validate_json(value)
        assert update.story_id == key
        assert update.version >= last_version.get(key, 0), f"story {key} went back to {update.version}"
        last_version[key] = update.version
    assert last_version == expected_versions

"""Read a whole topic as it stands, without a consumer group (kafka-python adapter): for commands that show
what a topic holds, such as ``khabar alerts``."""

from __future__ import annotations

from kafka import KafkaConsumer, TopicPartition

from contracts.settings import KafkaSettings
from infra.topics import client_config


def read_topic(kafka: KafkaSettings, topic: str, *, timeout_s: float = 30.0) -> list[bytes]:
    """Every value of ``topic`` from the first offset to the end offsets at the time of the call, partition by
    partition; an unknown topic gives none. Commits nothing."""
    consumer = KafkaConsumer(**client_config(kafka, "reader"), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        values: list[bytes] = []
        pending = {tp for tp in partitions if ends[tp] > 0}
        polls = max(1, int(timeout_s))
        while pending and polls:
            polls -= 1
            for tp, records in consumer.poll(timeout_ms=1000).items():
                values += [r.value for r in records if r.offset < ends[tp] and r.value is not None]
            pending = {tp for tp in pending if consumer.position(tp) < ends[tp]}
        return values
    finally:
        consumer.close()

"""Consumer-group lag: how far a group is behind the end of the topics it reads (kafka-python adapter)."""

from __future__ import annotations

from collections.abc import Iterable

from kafka import KafkaConsumer, TopicPartition

from contracts.settings import KafkaSettings
from infra.topics import admin_client, connect


def consumer_lag(kafka: KafkaSettings, group: str, topics: Iterable[str]) -> dict[str, int]:
    """Messages not yet committed by ``group``, per topic (a partition with no commit counts from 0)."""
    names = list(topics)
    consumer = connect(KafkaConsumer, kafka, "lag", enable_auto_commit=False)
    try:
        admin = admin_client(kafka)
    except BaseException:
        consumer.close()  # not left open at every poll while the broker is away
        raise
    try:
        partitions = [
            TopicPartition(name, partition)
            for name in names
            for partition in sorted(consumer.partitions_for_topic(name) or ())
        ]
        ends = consumer.end_offsets(partitions) if partitions else {}
        committed = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        consumer.close()
        admin.close()
    lag = dict.fromkeys(names, 0)
    for tp in partitions:
        done = committed.get(tp)
        position = done.offset if done is not None and done.offset >= 0 else 0
        lag[tp.topic] += max(0, ends.get(tp, 0) - position)
    return lag

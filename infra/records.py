"""Read a whole topic as it stands, without a consumer group, and publish messages again (kafka-python
adapter): for commands that show what a topic holds (``khabar alerts``, ``khabar deadletters``) and for the
replay of dead letters."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from contracts.settings import KafkaSettings
from infra.deadletters import Message
from infra.errors import RepublishError
from infra.topics import connect


def read_topic(kafka: KafkaSettings, topic: str, *, timeout_s: float = 30.0) -> list[bytes]:
    """Every value of ``topic`` from the first offset to the end offsets at the time of the call, partition by
    partition; an unknown topic gives none. Commits nothing."""
    consumer = connect(KafkaConsumer, kafka, "reader", enable_auto_commit=False)
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


def publish(
    kafka: KafkaSettings,
    messages: Sequence[Message],
    *,
    timeout_s: float = 60.0,
    on_sent: Callable[[Message], None] | None = None,
) -> int:
    """Publish ``messages`` in order (acks from all in-sync replicas, idempotent producer) and return how many
    Kafka acknowledged; raise :class:`RepublishError` naming the first that it did not."""
    producer = connect(KafkaProducer, kafka, "republish", acks="all", enable_idempotence=True)
    try:
        futures = []
        for message in messages:
            future = producer.send(message.topic, key=message.key, value=message.value)
            if on_sent is not None:  # called from the producer's I/O thread as Kafka acknowledges
                future.add_callback(lambda _metadata, m=message: on_sent(m))
            futures.append((message, future))
        producer.flush(timeout=timeout_s)
        for message, future in futures:
            try:
                future.get(timeout=timeout_s)
            except KafkaError as exc:
                raise RepublishError(
                    f"Kafka did not take the message with key {message.key!r} for {message.topic!r}: {exc}; "
                    "others may have been published: run the same replay again once Kafka is healthy "
                    "(khabar stack status; repeats are safe)"
                ) from None
        return len(futures)
    finally:
        producer.close()

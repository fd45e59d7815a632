"""The publisher and ``khabar replay`` against the real local Kafka: keys, headers, dead letters, order.

Topics are uuid-named (``topic_factory``, or created here when a topic needs a size limit) and deleted after.
Messages are read back by assigning every partition and reading up to its end offset, so no test waits on
an idle timeout to decide it has seen everything.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import NewTopic

from contracts.schemas import DeadLetter, RawArticle, decode
from contracts.settings import Settings
from infra.topics import admin_client, client_config
from khabar.cli import cli
from producers.errors import PublishError
from producers.publish import Publisher
from producers.replay import DEMO_CORPUS, load, parse_moment

SLICE = ("2015-08-08T11:00", "2015-08-08T12:00")  # 151 articles of the bundled day


def consume_all(settings: Settings, topic: str, timeout_s: float = 60.0) -> list[Any]:
    """Every message of ``topic`` (all partitions, up to their end offsets at the time of the call)."""
    consumer = KafkaConsumer(**client_config(settings.kafka, "test"), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        assert partitions, f"topic {topic} has no partitions"
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        messages: list[Any] = []
        polls = int(timeout_s * 2)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            polls -= 1
            if polls < 0:
                pytest.fail(f"could not read {topic} up to its end offsets {ends}")
            for batch in consumer.poll(timeout_ms=500).values():
                messages.extend(batch)
        return messages
    finally:
        consumer.close()


@pytest.fixture
def small_topics(stack: Settings) -> Iterator[Callable[[str], str]]:
    """Topics whose broker limit (max.message.bytes=2000) refuses a big article: real delivery failures."""
    admin = admin_client(stack.kafka)
    made: list[str] = []

    def make(prefix: str) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        admin.create_topics([NewTopic(name, 1, 1, topic_configs={"max.message.bytes": "2000"})])
        admin.wait_for_topics([name], timeout_ms=30000)
        made.append(name)
        return name

    yield make
    if made:
        admin.delete_topics(made)
    admin.close()


def demo_articles(count: int) -> list[RawArticle]:
    return load(DEMO_CORPUS).articles[:count]


def big_article() -> RawArticle:
    """An article whose compressed batch exceeds 2,000 bytes (random hex does not compress much)."""
    return demo_articles(1)[0].model_copy(update={"content": os.urandom(8000).hex()})


def test_published_articles_come_back_keyed_with_headers_and_the_contract_json(
    stack: Settings, topic_factory: Callable[..., str]
) -> None:
    raw, dead = topic_factory("raw", partitions=3), topic_factory("dead")
    articles = demo_articles(60)
    with Publisher(stack, topic=raw, deadletter_topic=dead) as publisher:
        assert publisher.idempotent
        for article in articles:
            publisher.publish(article)
        stats = publisher.flush(timeout_s=60)
    assert (stats.sent, stats.acked, stats.failed, stats.lost) == (60, 60, 0, 0)

    messages = consume_all(stack, raw)
    assert sorted(m.key.decode() for m in messages) == sorted(a.id for a in articles)
    by_id = {a.id: a for a in articles}
    for message in messages:
        record = decode(message.value, RawArticle)
        assert record == by_id[message.key.decode()]
        headers = dict(message.headers)
        assert headers["outlet"] == record.outlet.encode()
        assert (headers["kind"], headers["schema_version"]) == (b"raw_article", b"1")
    assert consume_all(stack, dead) == []


def test_an_article_the_broker_refuses_lands_in_the_dead_letter_topic_with_the_reason(
    stack: Settings, small_topics: Callable[[str], str], topic_factory: Callable[..., str]
) -> None:
    raw, dead = small_topics("raw-small"), topic_factory("dead")
    article = big_article()
    small = demo_articles(2)[1].model_copy(update={"content": "نص قصير"})
    with Publisher(stack, topic=raw, deadletter_topic=dead) as publisher:
        publisher.publish(article)
        stats = publisher.flush(timeout_s=60)
        assert (stats.sent, stats.acked, stats.failed, stats.dead_lettered, stats.lost) == (1, 0, 1, 1, 0)
        # kafka-python's idempotent producer is unusable after such an error; the publisher replaced it.
        assert publisher.restarts == 1
        publisher.publish(small)
        assert publisher.flush(timeout_s=60).acked == 1

    assert [m.key.decode() for m in consume_all(stack, raw)] == [small.id]
    [message] = consume_all(stack, dead)
    assert message.key.decode() == article.id
    letter = decode(message.value, DeadLetter)
    assert (letter.stage, letter.source_topic, letter.key) == ("publish", raw, article.id)
    assert letter.error_type == "MessageSizeTooLargeError"
    assert "failed after the producer's retries" in letter.reason
    assert decode(letter.payload, RawArticle) == article


def test_when_the_dead_letter_is_refused_too_flush_raises_and_counts_the_loss(
    stack: Settings, small_topics: Callable[[str], str]
) -> None:
    raw, dead = small_topics("raw-small"), small_topics("dead-small")
    publisher = Publisher(stack, topic=raw, deadletter_topic=dead)
    try:
        publisher.publish(big_article())
        with pytest.raises(PublishError, match=r"1 record\(s\) lost.*MessageSizeTooLargeError"):
            publisher.flush(timeout_s=60)
        assert publisher.stats.lost == 1
    finally:
        publisher.close()


def test_khabar_replay_delivers_the_slice_once_in_publish_time_order_per_partition(
    stack: Settings, topic_factory: Callable[..., str]
) -> None:
    raw, dead = topic_factory("replay", partitions=3), topic_factory("dead")
    since, until = SLICE
    result = CliRunner().invoke(
        cli,
        ["replay", "--topic", raw, "--deadletter-topic", dead, "--from", since, "--until", until],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "lost" in result.output

    expected = load(DEMO_CORPUS, since=parse_moment(since), until=parse_moment(until)).articles
    assert len(expected) == 151
    messages = consume_all(stack, raw)
    assert sorted(m.key.decode() for m in messages) == sorted(a.id for a in expected)  # each exactly once

    order = {a.id: index for index, a in enumerate(expected)}
    per_partition: dict[int, list[int]] = defaultdict(list)
    for message in sorted(messages, key=lambda m: (m.partition, m.offset)):
        per_partition[message.partition].append(order[message.key.decode()])
    assert len(per_partition) > 1
    for positions in per_partition.values():
        assert positions == sorted(positions)
    assert consume_all(stack, dead) == []

"""Unit tests for producers.publish: keys, values, headers, delivery counting and dead-lettering.

The Kafka producer is a fake of our own that records every send and resolves its futures on flush, with
an outcome per topic: acknowledged, failed after retries, or refused synchronously.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError, MessageSizeTooLargeError, RequestTimedOutError

from contracts.schemas import (
    DEADLETTER_PAYLOAD_CHARS,
    DeadLetter,
    EnrichedArticle,
    RawArticle,
    decode,
    encode,
)
from contracts.settings import KafkaSettings, ProducerSettings, Settings, TopicSettings
from producers.errors import PublishError
from producers.publish import (
    DeliveryStats,
    Publisher,
    compression_type,
    producer_config,
)

pytestmark = pytest.mark.unit

NOW = datetime(2024, 9, 2, 12, 0, tzinfo=UTC)


class FakeFuture:
    def __init__(self) -> None:
        self.callbacks: list[Callable[[Any], None]] = []
        self.errbacks: list[Callable[[BaseException], None]] = []

    def add_callback(self, f: Callable[..., Any], *args: Any) -> FakeFuture:
        self.callbacks.append(lambda value: f(*args, value))
        return self

    def add_errback(self, f: Callable[..., Any], *args: Any) -> FakeFuture:
        self.errbacks.append(lambda error: f(*args, error))
        return self


@dataclass
class Sent:
    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    future: FakeFuture


class FakeTransactionManager:
    """kafka-python's idempotence state, as far as the publisher looks at it."""

    def __init__(self) -> None:
        self.last_error: BaseException | None = None

    def has_fatal_error(self) -> bool:
        return self.last_error is not None


@dataclass
class FakeProducer:
    """Records sends; on flush, fails the topics in ``fail`` and acknowledges the rest (on another thread)."""

    fail: dict[str, BaseException] = field(default_factory=dict)
    refuse: dict[str, BaseException] = field(default_factory=dict)
    flush_timeout: bool = False
    fatal_on_failure: bool = False  # like kafka-python 3.0 idempotence after a non-retriable error
    sent: list[Sent] = field(default_factory=list)
    pending: list[Sent] = field(default_factory=list)
    closed: bool = False
    flushes: int = 0
    _transaction_manager: FakeTransactionManager = field(default_factory=FakeTransactionManager)

    def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None
    ) -> FakeFuture:
        if topic in self.refuse:
            raise self.refuse[topic]
        assert value is not None
        record = Sent(topic, key, value, list(headers or []), FakeFuture())
        self.sent.append(record)
        self.pending.append(record)
        return record.future

    def flush(self, timeout: float | None = None) -> None:
        self.flushes += 1
        if self.flush_timeout:
            raise KafkaTimeoutError("Timeout after waiting for 5 secs.")
        pending, self.pending = self.pending, []
        worker = threading.Thread(target=self._resolve, args=(pending,))  # like kafka-python's sender thread
        worker.start()
        worker.join()

    def _resolve(self, records: list[Sent]) -> None:
        for record in records:
            if record.topic in self.fail:
                if self.fatal_on_failure:
                    self._transaction_manager.last_error = self.fail[record.topic]
                for errback in record.future.errbacks:
                    errback(self.fail[record.topic])
            else:
                for callback in record.future.callbacks:
                    callback(object())

    def close(self, timeout: float | None = None) -> None:
        self.closed = True

    def on(self, topic: str) -> list[Sent]:
        return [record for record in self.sent if record.topic == topic]


def article(number: int = 1, *, outlet: str = "aawsat", content: str = "نص الخبر") -> RawArticle:
    return RawArticle(
        id=f"{number:016x}",
        url=f"https://aawsat.com/news/{number}",
        canonical_url=f"https://aawsat.com/news/{number}",
        outlet=outlet,
        title="عنوان الخبر",
        content=content,
        published=NOW,
        fetched_at=NOW,
    )


def make(fake: FakeProducer, settings: Settings | None = None, **kwargs: Any) -> Publisher:
    return Publisher(settings or Settings(), producer=fake, clock=lambda: NOW, **kwargs)


def test_an_article_is_keyed_by_its_id_with_contract_json_and_headers() -> None:
    fake = FakeProducer()
    publisher = make(fake)
    publisher.publish(article(7, outlet="alriyadh"))
    stats = publisher.flush()

    [record] = fake.sent
    assert record.topic == "articles.raw"
    assert record.key == b"0000000000000007"
    assert decode(record.value, RawArticle) == article(7, outlet="alriyadh")
    assert dict(record.headers) == {"outlet": b"alriyadh", "kind": b"raw_article", "schema_version": b"1"}
    assert stats == DeliveryStats(sent=1, acked=1)
    assert stats.pending == 0


def test_values_are_the_contract_encoding_and_headers_name_each_article_outlet() -> None:
    # The publisher writes JSON bytes in one step and keeps one header list per outlet: neither may differ
    # from contracts.schemas.encode and the article's own outlet, whatever the order of outlets.
    fake = FakeProducer()
    publisher = make(fake)
    outlets = ["sabq", "okaz", "sabq", "عكاظ", "okaz", "sabq"]
    sent = [article(n, outlet=outlet, content='«نص» "x" \u200f\n' * n) for n, outlet in enumerate(outlets)]
    for one in sent:
        publisher.publish(one)
    publisher.flush()

    assert [record.value for record in fake.sent] == [encode(one) for one in sent]
    assert [dict(record.headers)["outlet"].decode() for record in fake.sent] == outlets


def test_a_subclass_of_raw_article_is_published_with_all_its_fields() -> None:
    fake = FakeProducer()
    enriched = EnrichedArticle(
        **article(3).model_dump(exclude={"kind"}), language="ar", word_count=2, reading_time_s=1
    )
    make(fake).publish(enriched)
    assert fake.sent[0].value == encode(enriched)
    assert decode(fake.sent[0].value, EnrichedArticle) == enriched


def test_topics_carry_the_configured_prefix_unless_overridden() -> None:
    settings = Settings(topics=TopicSettings(prefix="staging."))
    assert (make(FakeProducer(), settings).topic, make(FakeProducer(), settings).deadletter_topic) == (
        "staging.articles.raw",
        "staging.deadletter",
    )
    custom = make(FakeProducer(), settings, topic="t1", deadletter_topic="d1")
    assert (custom.topic, custom.deadletter_topic) == ("t1", "d1")


def test_an_article_failing_after_retries_is_dead_lettered_with_the_reason() -> None:
    fake = FakeProducer(fail={"articles.raw": RequestTimedOutError("broker did not answer")})
    publisher = make(fake)
    publisher.publish(article(1))
    publisher.publish(article(2))
    stats = publisher.flush()

    assert stats == DeliveryStats(sent=2, acked=0, failed=2, dead_lettered=2, lost=0)
    letters = fake.on("deadletter")
    assert [record.key for record in letters] == [b"0000000000000001", b"0000000000000002"]
    letter = decode(letters[0].value, DeadLetter)
    assert letter.stage == "publish"
    assert letter.error_type == "RequestTimedOutError"
    assert "broker did not answer" in letter.reason
    assert "articles.raw" in letter.reason
    assert letter.source_topic == "articles.raw"
    assert letter.failed_at == NOW
    assert decode(letter.payload, RawArticle) == article(1)
    assert dict(letters[0].headers)["kind"] == b"dead_letter"


def test_an_article_refused_at_send_is_dead_lettered() -> None:
    fake = FakeProducer(refuse={"articles.raw": MessageSizeTooLargeError("The message is 2000000 bytes")})
    publisher = make(fake)
    publisher.publish(article(3))
    stats = publisher.flush()

    assert stats == DeliveryStats(sent=1, failed=1, dead_lettered=1)
    letter = decode(fake.on("deadletter")[0].value, DeadLetter)
    assert letter.error_type == "MessageSizeTooLargeError"
    assert "2000000 bytes" in letter.reason


def test_a_producer_left_unusable_by_a_fatal_error_is_replaced_to_send_the_dead_letters() -> None:
    made: list[FakeProducer] = []

    def factory() -> FakeProducer:
        fail = {} if made else {"articles.raw": MessageSizeTooLargeError("over max.message.bytes")}
        made.append(FakeProducer(fail=fail, fatal_on_failure=True))
        return made[-1]

    publisher = Publisher(Settings(), producer_factory=factory, clock=lambda: NOW)
    publisher.publish(article(1))
    stats = publisher.flush()

    assert publisher.restarts == 1
    assert len(made) == 2
    assert made[0].closed
    assert [record.key for record in made[1].on("deadletter")] == [b"0000000000000001"]
    assert stats == DeliveryStats(sent=1, failed=1, dead_lettered=1)
    publisher.publish(article(2))
    assert publisher.flush().acked == 1


def test_an_injected_producer_is_never_replaced() -> None:
    fake = FakeProducer(fail={"articles.raw": MessageSizeTooLargeError("too large")}, fatal_on_failure=True)
    publisher = make(fake)
    publisher.publish(article(1))
    publisher.flush()
    assert publisher.restarts == 0
    assert not fake.closed


def test_when_the_dead_letter_fails_too_flush_raises_naming_the_loss_once() -> None:
    fake = FakeProducer(
        fail={"articles.raw": RequestTimedOutError("first"), "deadletter": RequestTimedOutError("second")}
    )
    publisher = make(fake)
    publisher.publish(article(1))
    publisher.publish(article(2))
    with pytest.raises(PublishError, match=r"2 record\(s\) lost") as raised:
        publisher.flush()
    assert "second" in str(raised.value)
    assert publisher.stats == DeliveryStats(sent=2, failed=2, dead_lettered=0, lost=2)
    # The loss was reported; a later flush with nothing new lost does not raise again.
    assert publisher.flush().lost == 2


def test_a_dead_letter_refused_at_send_counts_as_lost() -> None:
    fake = FakeProducer(refuse={"deadletter": MessageSizeTooLargeError("too big")})
    publisher = make(fake)
    publisher.dead_letter(stage="parse", reason="bad entry", error_type="EntryError", payload="<item/>")
    with pytest.raises(PublishError, match=r"1 record\(s\) lost.*too big"):
        publisher.flush()


def test_kafka_unreachable_at_send_raises_and_counts_nothing() -> None:
    fake = FakeProducer(
        refuse={"articles.raw": KafkaTimeoutError("Failed to update metadata after 60.0 secs.")}
    )
    publisher = make(fake)
    with pytest.raises(PublishError, match=r"article 0000000000000005 not published.*metadata"):
        publisher.publish(article(5))
    assert publisher.stats == DeliveryStats()


def test_a_flush_that_times_out_raises_with_the_pending_count() -> None:
    fake = FakeProducer(flush_timeout=True)
    publisher = make(fake)
    publisher.publish(article(1))
    with pytest.raises(PublishError, match=r"flush timed out after 5s with 1 article\(s\)"):
        publisher.flush(timeout_s=5)


def test_explicit_dead_letters_keep_text_or_base64_and_name_their_source() -> None:
    fake = FakeProducer()
    publisher = make(fake)
    publisher.dead_letter(
        stage="parse",
        reason="entry has no link and no guid",
        error_type="MissingIdentityError",
        payload="<item><title>خبر</title></item>".encode(),
        key="feed-entry-3",
        source="https://example.net/rss.xml",
    )
    publisher.dead_letter(
        stage="fetch", reason="bad bytes", error_type="FeedParseError", payload=b"\xff\xfe<rss"
    )
    stats = publisher.flush()

    assert stats.dead_lettered == 2
    assert stats.sent == 0
    first, second = (decode(record.value, DeadLetter) for record in fake.on("deadletter"))
    assert first.payload == "<item><title>خبر</title></item>"
    assert first.payload_encoding == "utf-8"
    assert first.reason == "[https://example.net/rss.xml] entry has no link and no guid"
    assert first.key == "feed-entry-3"
    headers = dict(fake.on("deadletter")[0].headers)
    assert headers["source"] == b"https://example.net/rss.xml"
    assert headers["stage"] == b"parse"
    assert second.payload_encoding == "base64"
    assert base64.b64decode(second.payload) == b"\xff\xfe<rss"
    assert fake.on("deadletter")[1].key is None


def test_a_huge_payload_is_clipped_and_the_reason_says_so() -> None:
    fake = FakeProducer()
    publisher = make(fake)
    publisher.dead_letter(
        stage="parse", reason="huge", error_type="X", payload="ب" * (DEADLETTER_PAYLOAD_CHARS + 5)
    )
    publisher.flush()
    letter = decode(fake.on("deadletter")[0].value, DeadLetter)
    assert len(letter.payload) == DEADLETTER_PAYLOAD_CHARS
    assert (
        letter.reason
        == f"huge (payload clipped to {DEADLETTER_PAYLOAD_CHARS} of {DEADLETTER_PAYLOAD_CHARS + 5} chars)"
    )


def test_the_context_manager_flushes_then_closes_and_only_closes_on_error() -> None:
    fake = FakeProducer()
    with make(fake) as publisher:
        publisher.publish(article(1))
    assert fake.closed
    assert fake.flushes == 1
    assert publisher.stats.acked == 1

    failing = FakeProducer()

    def use() -> None:
        with make(failing) as publisher:
            publisher.publish(article(1))
            raise RuntimeError("caller failed")

    with pytest.raises(RuntimeError, match="caller failed"):
        use()
    assert failing.closed
    assert failing.flushes == 0


def test_producer_config_asks_for_acks_all_compression_batching_and_credentials() -> None:
    kafka = KafkaSettings(
        bootstrap_servers=["k1:9093", "k2:9093"],
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="khabar",
        sasl_password="s3cret",  # type: ignore[arg-type]
    )
    config = producer_config(kafka, ProducerSettings(compression="none", linger_ms=5, batch_bytes=65536))
    assert config["bootstrap_servers"] == "k1:9093,k2:9093"
    assert config["acks"] == "all"
    assert config["compression_type"] is None
    assert (config["linger_ms"], config["batch_size"]) == (5, 65536)
    assert config["delivery_timeout_ms"] > config["request_timeout_ms"] + config["linger_ms"]
    assert (config["security_protocol"], config["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == ("khabar", "s3cret")
    assert "enable_idempotence" not in config  # kafka-python's default: on, off only for brokers < 0.11


def test_auto_compression_prefers_zstd_then_lz4_then_none_and_a_missing_codec_is_named() -> None:
    assert compression_type("auto", available=lambda codec: True) == "zstd"
    assert compression_type("auto", available=lambda codec: codec == "lz4") == "lz4"
    assert compression_type("auto", available=lambda codec: False) is None
    assert compression_type("gzip", available=lambda codec: codec == "gzip") == "gzip"
    with pytest.raises(PublishError, match="needs the zstandard package"):
        compression_type("zstd", available=lambda codec: False)

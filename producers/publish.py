"""Publish raw articles to Kafka, and what cannot be published to the dead-letter topic (the Kafka adapter).

One :class:`Publisher` wraps a kafka-python ``KafkaProducer`` with ``acks=all``, idempotence (kafka-python
turns it off, with a warning, only on brokers older than 0.11), compression and a linger/batch tuned for
throughput. Each article is sent asynchronously:

- key: the article id (so everything about one article lands on one partition, in order);
- value: the contract's JSON (:func:`contracts.schemas.encode`), ``kind`` and ``schema_version`` included;
- headers: ``outlet``, ``kind`` and ``schema_version``, so consumers can route without parsing the value.

Delivery callbacks count what was acknowledged. An article the producer gives up on after its own retries
(``delivery_timeout_s``) or rejects outright (too large) goes to the dead-letter topic with the reason and its
original bytes when :meth:`Publisher.flush` runs; a dead letter that itself fails counts as *lost*, and
``flush`` raises :class:`PublishError` naming how many. Nothing is dropped silently. When Kafka cannot even be
reached (no metadata within ``max_block_ms``) :meth:`Publisher.publish` raises at once, so a caller does not
mark the article as seen and tries again later.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, NamedTuple, Protocol

import structlog
from kafka import KafkaProducer
from kafka import codec as codecs
from kafka.errors import KafkaError, KafkaTimeoutError

from contracts.schemas import DeadLetter, RawArticle, dead_letter_payload, encode
from contracts.settings import KafkaSettings, ProducerSettings, Settings
from contracts.topics import Topic, topic_name

from .errors import PublishError

__all__ = ["DeliveryStats", "Publisher", "compression_type", "producer_config"]

_log = structlog.get_logger("khabar.producers.publish")

_RAW_HEADERS: Final = [
    ("kind", RawArticle.KIND.encode("ascii")),
    ("schema_version", str(RawArticle.VERSION).encode("ascii")),
]
_DEADLETTER_HEADERS: Final = [
    ("kind", DeadLetter.KIND.encode("ascii")),
    ("schema_version", str(DeadLetter.VERSION).encode("ascii")),
]
_HEADER_CACHE_OUTLETS: Final = 1024


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """What a publisher has done so far. After :meth:`Publisher.flush`, ``sent == acked + failed``.

    ``failed`` articles were dead-lettered (counted in ``dead_lettered``, with explicit dead letters) unless
    they were ``lost`` too.

    >>> DeliveryStats(sent=3, acked=2, failed=1, dead_lettered=1).pending
    0
    """

    sent: int = 0
    acked: int = 0
    failed: int = 0
    dead_lettered: int = 0
    lost: int = 0

    @property
    def pending(self) -> int:
        """Articles sent but neither acknowledged nor failed yet."""
        return self.sent - self.acked - self.failed


class _Future(Protocol):
    def add_callback(self, f: Callable[..., Any], *args: Any) -> Any: ...
    def add_errback(self, f: Callable[..., Any], *args: Any) -> Any: ...


class _Producer(Protocol):
    """The part of ``KafkaProducer`` a publisher uses; tests inject their own."""

    def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None
    ) -> _Future: ...
    def flush(self, timeout: float | None = None) -> None: ...
    def close(self, timeout: float | None = None) -> None: ...


class _Failure(NamedTuple):
    key: str
    payload: bytes
    reason: str
    error_type: str


def compression_type(choice: str, *, available: Callable[[str], bool] | None = None) -> str | None:
    """kafka-python's ``compression_type`` for a setting: ``auto`` picks zstd, else lz4, else none.

    gzip is never picked automatically: kafka-python compresses it at level 9, about 600 articles/s on one
    core against several thousand for zstd, lz4 or none (benchmarks/producers.py).

    >>> compression_type("auto", available=lambda codec: codec == "lz4"), compression_type("none")
    ('lz4', None)
    """
    usable = available or _codec_available
    if choice == "auto":
        return next((codec for codec in ("zstd", "lz4") if usable(codec)), None)
    if choice == "none":
        return None
    if not usable(choice):
        package = {"zstd": "zstandard", "lz4": "lz4", "snappy": "python-snappy"}.get(choice, choice)
        raise PublishError(
            f"compression {choice!r} needs the {package} package; install it or set "
            "KHABAR_PRODUCERS__COMPRESSION=auto"
        )
    return choice


def _codec_available(codec: str) -> bool:
    checks = {
        "gzip": codecs.has_gzip,
        "lz4": codecs.has_lz4,
        "zstd": codecs.has_zstd,
        "snappy": codecs.has_snappy,
    }
    return bool(checks[codec]())


def producer_config(kafka: KafkaSettings, producers: ProducerSettings) -> dict[str, Any]:
    """The ``KafkaProducer`` keyword arguments for these settings (credentials included).

    >>> config = producer_config(KafkaSettings(), ProducerSettings(compression="gzip"))
    >>> config["acks"], config["compression_type"], config["bootstrap_servers"]
    ('all', 'gzip', '127.0.0.1:9092')
    """
    return {
        "bootstrap_servers": kafka.bootstrap,
        "client_id": f"{kafka.client_id}-producer",
        **kafka.security_options(),
        "acks": "all",
        "compression_type": compression_type(producers.compression),
        "linger_ms": producers.linger_ms,
        "batch_size": producers.batch_bytes,
        "delivery_timeout_ms": int(producers.delivery_timeout_s * 1000),
        # delivery_timeout_ms must cover linger + one request; keep the request timeout inside it.
        "request_timeout_ms": min(30_000, int(producers.delivery_timeout_s * 1000) - producers.linger_ms),
    }


def _warn_if_slow_checksums() -> None:
    """kafka-python checksums every record batch (CRC32C); without the ``crc32c`` package it does so in
    pure Python at about 3 MB/s, which caps publishing near 300 articles/s."""
    if importlib.util.find_spec("crc32c") is None:
        _log.warning("crc32c package missing: kafka-python checksums in pure Python; pip install crc32c")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Publisher:
    """Send raw articles and dead letters to Kafka; count every delivery; never lose one silently."""

    def __init__(
        self,
        settings: Settings,
        *,
        topic: str | None = None,
        deadletter_topic: str | None = None,
        producer: Any | None = None,
        producer_factory: Callable[[], Any] | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.topic = topic or topic_name(Topic.RAW, settings.topics)
        self.deadletter_topic = deadletter_topic or topic_name(Topic.DEADLETTER, settings.topics)
        self._bootstrap = settings.kafka.bootstrap
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: deque[_Failure] = deque()
        self._sent = self._acked = self._failed = self._dead_lettered = self._lost = 0
        self._reported_lost = 0
        self._loss_reasons: list[str] = []
        self._headers: dict[str, list[tuple[str, bytes]]] = {}  # per outlet; kafka-python only reads them
        self.restarts = 0
        # A producer we create can be replaced when it breaks; an injected one (tests) cannot.
        self._factory: Callable[[], Any] | None = None
        if producer is None:
            config = producer_config(settings.kafka, settings.producers)
            _warn_if_slow_checksums()
            self._factory = producer_factory or (lambda: KafkaProducer(**config))
        self._producer: _Producer = producer if producer is not None else self._connect(self._factory)

    def _connect(self, factory: Callable[[], Any] | None) -> _Producer:
        if factory is None:
            raise PublishError("no Kafka producer: pass producer= or producer_factory=")
        try:
            producer: _Producer = factory()
        except KafkaError as exc:
            raise PublishError(
                f"cannot connect to Kafka at {self._bootstrap} ({exc}); start the local stack "
                "(khabar stack up) or set KHABAR_KAFKA__BOOTSTRAP_SERVERS"
            ) from None
        return producer

    @property
    def stats(self) -> DeliveryStats:
        """A snapshot of the counters."""
        with self._lock:
            return DeliveryStats(self._sent, self._acked, self._failed, self._dead_lettered, self._lost)

    @property
    def idempotent(self) -> bool:
        """Whether the producer runs idempotent (kafka-python disables it on brokers older than 0.11)."""
        config = getattr(self._producer, "config", None)
        return bool(isinstance(config, dict) and config.get("enable_idempotence"))

    def publish(self, article: RawArticle) -> None:
        """Send one article asynchronously (key: its id); :meth:`flush` waits for the acknowledgements."""
        value = encode(article)  # a subclass (e.g. an enriched article) keeps its own fields
        headers = self._headers.get(article.outlet)
        if headers is None:
            if len(self._headers) >= _HEADER_CACHE_OUTLETS:
                self._headers.clear()
            headers = [("outlet", article.outlet.encode("utf-8")), *_RAW_HEADERS]
            self._headers[article.outlet] = headers
        with self._lock:
            self._sent += 1
        try:
            future = self._producer.send(
                self.topic, value=value, key=article.id.encode("ascii"), headers=headers
            )
        except KafkaTimeoutError as exc:
            with self._lock:
                self._sent -= 1
            raise PublishError(
                f"article {article.id} not published: Kafka at {self._bootstrap} gave no metadata for "
                f"topic {self.topic!r} in time ({exc}); is the broker up and the topic created "
                "(khabar topics create)?"
            ) from None
        except (KafkaError, ValueError, TypeError) as exc:
            self._article_failed(article.id, value, exc)
            return
        future.add_callback(self._article_acked)
        future.add_errback(self._article_failed, article.id, value)

    def dead_letter(
        self,
        *,
        stage: str,
        reason: str,
        error_type: str,
        payload: bytes | str,
        key: str | None = None,
        source: str | None = None,
    ) -> None:
        """Send a :class:`DeadLetter` for something that could not become an article (e.g. a bad entry).

        ``source`` (a feed URL, a corpus file) goes into a ``source`` header and, in brackets, the reason.
        """
        self._send_dead_letter(
            self._build_dead_letter(
                stage=stage, reason=reason, error_type=error_type, payload=payload, key=key, source=source
            ),
            source=source,
        )

    def flush(self, timeout_s: float | None = None) -> DeliveryStats:
        """Block until every record is acknowledged or failed, dead-letter the failures, return the counts.

        Raise :class:`PublishError` when the wait times out, or when records were lost since the last flush
        (neither delivered nor dead-lettered); the message says how many and why.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                self._producer.flush(timeout=remaining)
            except KafkaTimeoutError:
                stats = self.stats
                raise PublishError(
                    f"flush timed out after {timeout_s}s with {stats.pending} article(s) to {self.topic!r} "
                    f"not yet acknowledged by Kafka at {self._bootstrap}; check the broker "
                    "(khabar stack status)"
                ) from None
            if not self._failures:
                break
            self._replace_if_broken()
            while self._failures:
                failure = self._failures.popleft()
                text, encoding, note = dead_letter_payload(failure.payload)
                letter = DeadLetter(
                    stage="publish",
                    reason=failure.reason + note,
                    error_type=failure.error_type,
                    source_topic=self.topic,
                    key=failure.key,
                    payload=text,
                    payload_encoding=encoding,
                    failed_at=self._clock(),
                )
                self._send_dead_letter(letter, source=None)
        return self._raise_if_lost()

    def close(self) -> None:
        """Close the producer (it sends what it still holds first); counters stay readable."""
        self._producer.close()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self.flush()
        finally:
            self.close()

    def _build_dead_letter(
        self,
        *,
        stage: str,
        reason: str,
        error_type: str,
        payload: bytes | str,
        key: str | None,
        source: str | None,
    ) -> DeadLetter:
        text, encoding, note = dead_letter_payload(payload)
        return DeadLetter(
            stage=stage,
            reason=(f"[{source}] {reason}" if source else reason) + note,
            error_type=error_type,
            key=key,
            payload=text,
            payload_encoding=encoding,
            failed_at=self._clock(),
        )

    def _send_dead_letter(self, letter: DeadLetter, *, source: str | None) -> None:
        headers = [*_DEADLETTER_HEADERS, ("stage", letter.stage.encode("utf-8"))]
        if source:
            headers.append(("source", source.encode("utf-8")))
        what = f"dead letter ({letter.stage}, key {letter.key}: {letter.reason[:200]})"
        try:
            future = self._producer.send(
                self.deadletter_topic,
                value=encode(letter),
                key=letter.key.encode("utf-8") if letter.key else None,
                headers=headers,
            )
        except (KafkaError, ValueError, TypeError) as exc:
            self._dead_letter_lost(what, exc)
            return
        future.add_callback(self._dead_letter_acked)
        future.add_errback(self._dead_letter_lost, what)

    def _replace_if_broken(self) -> None:
        """Replace a producer that a non-retriable error left unusable, so the dead letters can still go out.

        kafka-python 3.0's idempotent producer treats any non-retriable broker error (e.g. a record over the
        topic's ``max.message.bytes``) as fatal and aborts every later send; a fresh producer recovers.
        """
        manager = getattr(self._producer, "_transaction_manager", None)
        if self._factory is None or manager is None or not manager.has_fatal_error():
            return
        _log.warning("kafka producer replaced after a fatal error", error=str(manager.last_error))
        self._producer.close(timeout=0)
        self._producer = self._connect(self._factory)
        self.restarts += 1

    def _raise_if_lost(self) -> DeliveryStats:
        with self._lock:
            new = self._lost - self._reported_lost
            self._reported_lost = self._lost
            reasons = self._loss_reasons[-3:]
        stats = self.stats
        if new:
            raise PublishError(
                f"{new} record(s) lost: neither delivered to {self.topic!r} nor dead-lettered to "
                f"{self.deadletter_topic!r} at {self._bootstrap} ({stats.lost} lost in total); last: "
                + "; ".join(reasons)
            )
        return stats

    # Delivery callbacks: they run on the producer's I/O thread, so they only count and queue.

    def _article_acked(self, _metadata: Any) -> None:
        with self._lock:
            self._acked += 1

    def _article_failed(self, key: str, value: bytes, error: BaseException) -> None:
        reason = f"delivery to {self.topic!r} failed after the producer's retries: {error}"
        with self._lock:
            self._failed += 1
        self._failures.append(_Failure(key, value, reason, type(error).__name__))

    def _dead_letter_acked(self, _metadata: Any) -> None:
        with self._lock:
            self._dead_lettered += 1

    def _dead_letter_lost(self, what: str, error: BaseException) -> None:
        with self._lock:
            self._lost += 1
            self._loss_reasons.append(f"{what} failed: {type(error).__name__}: {error}")

"""The Faust app of the sinks: four agents that bulk-index what the processors produce, and one that calls
the alert webhook.

``articles.clustered``, ``articles.duplicates``, ``stories.updates`` and ``alerts`` are read as raw bytes,
decoded with the shared contract and written in batches (``bulk_max_docs`` records or ``bulk_max_seconds``,
whichever first). When ``KHABAR_ALERTS__WEBHOOK_URL`` is set, a second agent reads ``alerts`` too (Faust
hands each event to both, and its offset is committed once both acked it) and POSTs each alert
(:mod:`sinks.webhook`); an alert the webhook refuses, or that still fails after the retries, is a dead
letter (a message that is not an alert is dead-lettered by the indexing agent alone). A webhook that is
down holds back only its own agent: the alerts still reach Elasticsearch.
A record that cannot be decoded, or that Elasticsearch refuses for good, goes to the dead-letter topic with
its reason and original bytes; the agent keeps running.

Offsets: the agents iterate with ``stream.noack_take``, which hands over the batch's *events* and acks none
of them; each event is acked explicitly only after Elasticsearch acknowledged the batch (and its dead letters
were delivered). Faust commits only acked offsets, so a crash or a stop mid-batch re-delivers the batch. See
docs/sinks.md for why the plain ``take`` is not used.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import faust
import structlog

from contracts.errors import SchemaError
from contracts.schemas import Alert, ClusteredArticle, Duplicate, Record, StoryUpdate, decode, encode
from contracts.settings import Settings
from contracts.topics import Topic, topic_name
from sinks.bulk import Backoff, BulkOutcome, BulkWriter
from sinks.deadletters import Origin, dead_letter
from sinks.elasticsearch import async_client
from sinks.indexer import BatchResult, Indexer
from sinks.indices import IndexNames
from sinks.metrics import ALERTS, BATCH_SECONDS, MERGES, RECORDS, RETRIES
from sinks.webhook import WebhookSender

log = structlog.get_logger(__name__)

R = TypeVar("R", bound=Record)
IndexBatch = Callable[[Indexer, Sequence[Any]], Awaitable[BatchResult]]
_NOTHING = BatchResult(BulkOutcome(written=0, noop=0, stale=0, failures=(), retries=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkTopics:
    """The real names of the topics the sinks read and the dead-letter topic they write."""

    clustered: str
    duplicates: str
    stories: str
    alerts: str
    deadletter: str

    @classmethod
    def from_settings(cls, settings: Settings) -> SinkTopics:
        """The contract's topic names under the configured prefix."""
        return cls(
            clustered=topic_name(Topic.CLUSTERED, settings.topics),
            duplicates=topic_name(Topic.DUPLICATES, settings.topics),
            stories=topic_name(Topic.STORIES, settings.topics),
            alerts=topic_name(Topic.ALERTS, settings.topics),
            deadletter=topic_name(Topic.DEADLETTER, settings.topics),
        )


def _origin(event: Any) -> Origin:
    message = event.message
    return Origin(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key if isinstance(message.key, bytes) else None,
        payload=event.value if isinstance(event.value, bytes) else bytes(message.value or b""),
    )


def _record_outcome(kind: str, result: BatchResult, dead: int) -> None:
    outcome = result.outcome
    for name, count in (
        ("written", outcome.written),
        ("noop", outcome.noop),
        ("stale", outcome.stale),
        ("dead_lettered", dead),
    ):
        if count:
            RECORDS.labels(kind, name).inc(count)
    if result.merged:
        MERGES.inc(result.merged)


def build_app(
    settings: Settings,
    *,
    app_id: str | None = None,
    topics: SinkTopics | None = None,
    store: str | None = None,
    names: IndexNames | None = None,
    es_hosts: list[str] | None = None,
) -> faust.App:
    """The sink worker's Faust app; tests pass a uuid ``app_id``, topics and index prefix."""
    sinks = settings.sinks
    topics = topics or SinkTopics.from_settings(settings)
    names = names or IndexNames(sinks.index_prefix)
    backoff = Backoff(initial_s=sinks.retry_initial_s, max_s=sinks.retry_max_s)
    datadir = settings.worker_state_dir / (app_id or sinks.app_id)
    datadir.mkdir(parents=True, exist_ok=True)
    login = settings.kafka.sasl_login()  # SASL credentials; else a TLS context or None (plaintext)
    app = faust.App(
        app_id or sinks.app_id,
        broker=[f"kafka://{server}" for server in settings.kafka.bootstrap_servers],
        broker_credentials=faust.SASLCredentials(**login) if login else settings.kafka.ssl_context(),
        broker_client_id=f"{settings.kafka.client_id}-sinks",
        store=store or sinks.store,
        datadir=str(datadir),
        topic_replication_factor=settings.topics.replication_factor,
        topic_partitions=settings.topics.partitions,
        web_enabled=False,
        web_port=sinks.web_port,
        consumer_auto_offset_reset="earliest",
    )

    def raw_topic(name: str) -> Any:
        return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    deadletters = raw_topic(topics.deadletter)

    async def send_dead_letters(letters: Sequence[tuple[Origin, str, str]]) -> None:
        now = datetime.now(UTC)
        for origin, reason, error_type in letters:
            letter = dead_letter(origin, reason=reason, error_type=error_type, now=now)
            # force=True: send now, not attached to the current event (which is acked only after this).
            sent = await deadletters.send(key=origin.key, value=encode(letter), force=True)
            await sent
            log.warning("dead letter", topic=origin.topic, offset=origin.offset, reason=reason[:200])

    def sink_agent(kind: str, source: str, record_type: type[R], index: IndexBatch) -> None:
        async def consume(stream: Any) -> None:
            es = async_client(settings.elasticsearch, hosts=es_hosts)
            writer = BulkWriter(es, backoff=backoff, on_retry=lambda what, _d: RETRIES.labels(what).inc())
            indexer = Indexer(writer, names)
            try:
                async for events in stream.noack_take(sinks.bulk_max_docs, within=sinks.bulk_max_seconds):
                    started = time.perf_counter()
                    records: list[R] = []
                    origins: list[Origin] = []
                    letters: list[tuple[Origin, str, str]] = []
                    for event in events:
                        origin = _origin(event)
                        try:
                            records.append(decode(origin.payload, record_type))
                            origins.append(origin)
                        except SchemaError as exc:
                            letters.append((origin, str(exc), type(exc).__name__))
                    result = await index(indexer, records) if records else _NOTHING
                    for failure in result.outcome.failures:
                        reason = f"elasticsearch {failure.status} {failure.error_type}: {failure.reason}"
                        letters.append((origins[failure.position], reason, failure.error_type))
                    await send_dead_letters(letters)
                    for event in events:
                        await stream.ack(event)
                    _record_outcome(kind, result, len(letters))
                    BATCH_SECONDS.labels(kind).observe(time.perf_counter() - started)
            finally:
                await es.close()

        consume.__name__ = f"sink_{kind}"
        app.agent(raw_topic(source), name=f"sink-{kind}")(consume)

    sink_agent("article", topics.clustered, ClusteredArticle, lambda i, rs: i.index_articles(rs))
    sink_agent("duplicate", topics.duplicates, Duplicate, lambda i, rs: i.index_duplicates(rs))
    sink_agent("story", topics.stories, StoryUpdate, lambda i, rs: i.index_stories(rs))
    sink_agent("alert", topics.alerts, Alert, lambda i, rs: i.index_alerts(rs))

    alerts = settings.alerts
    if alerts.webhook_url is not None:
        url = alerts.webhook_url.get_secret_value()
        secret = alerts.webhook_secret.get_secret_value() if alerts.webhook_secret else None

        async def notify(stream: Any) -> None:
            sender = WebhookSender(
                url,
                secret=secret,
                timeout_s=alerts.webhook_timeout_s,
                retry_for_s=alerts.webhook_retry_for_s,
                backoff=backoff,
                on_retry=lambda what, _d: RETRIES.labels(what).inc(),
            )
            try:
                # One alert at a time, in order; each event is acked once delivered or dead-lettered.
                async for events in stream.noack_take(sinks.bulk_max_docs, within=sinks.bulk_max_seconds):
                    for event in events:
                        origin = _origin(event)
                        try:
                            alert = decode(origin.payload, Alert)
                        except SchemaError:
                            # the indexing agent reads the same event and dead-letters it: once is enough
                            ALERTS.labels("undecodable").inc()
                        else:
                            delivery = await sender.send(alert)
                            if delivery.delivered:
                                ALERTS.labels("delivered").inc()
                                log.info("alert delivered", alert_id=alert.alert_id, rule=alert.rule)
                            else:
                                await send_dead_letters([(origin, delivery.reason, "WebhookError")])
                                ALERTS.labels("dead_lettered").inc()
                        await stream.ack(event)
            finally:
                await sender.aclose()

        app.agent(raw_topic(topics.alerts), name="sink-alerts")(notify)
    return app

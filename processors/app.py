"""The processors' Faust app: raw articles in; duplicates, enriched and clustered articles and stories out.

Data flow (keys are article ids, story ids on ``stories.updates``)::

    articles.raw ──intake──► <app>-dedupe (1 partition) ──dedupe──► articles.duplicates
                                                          └───────► <app>-unique (N partitions)
    <app>-unique ──enrich──► articles.enriched ──gather──► <app>-stories (1 partition)
    articles.duplicates ──gather-copies──────────────────► <app>-stories
    <app>-stories ──cluster──► articles.clustered, stories.updates
    stories.updates ──alerts──► alerts

Near-duplicates and stories can relate any two articles, so dedupe and clustering are global stages: one
partition each, so one worker holds the whole window (its table) at a time and any worker can take over.
Enrichment, the expensive part, is partitioned by article id and scales with the partitions. Wire copies
reach the clustering partition too, so that a story counts its copies and their outlets. The alert rules
read the story updates, partitioned by story id, and scale with the partitions too. Poison messages go to
the dead-letter topic with the reason; every table has a changelog, so a restarted worker recovers its
window and makes the same decisions. Read top-down: topics, tables, then agents.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import faust
import structlog

from contracts.errors import SchemaError
from contracts.schemas import RawArticle, encode
from contracts.settings import Settings
from contracts.topics import MAX_MESSAGE_BYTES, Topic, topic_name
from processors import metrics
from processors.alerts import AlertRules
from processors.deadletters import Source, dead_letter
from processors.dedupe import Deduper
from processors.enrich import Enricher
from processors.errors import OversizeError
from processors.gazetteer import Gazetteer
from processors.keywords import DocumentFrequency
from processors.language import LanguageDetector
from processors.stages import (
    AlertStage,
    ClusterStage,
    DedupeStage,
    EnrichStage,
    Output,
    StageResult,
    Unreadable,
    fit,
    read,
)
from processors.stories import ClusterConfig, StoryClusterer

__all__ = ["build_app"]

log = structlog.get_logger(__name__)

_RAW: faust.Schema[bytes, bytes] = faust.Schema(
    key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
)


def _source(event: faust.EventT[Any] | None, topic: str) -> Source:
    if event is None:
        return Source(topic=topic)
    message = event.message
    key = message.key.decode("utf-8", "replace") if isinstance(message.key, bytes) else None
    return Source(topic=message.topic, partition=message.partition, offset=message.offset, key=key)


def build_app(
    settings: Settings,
    *,
    app_id: str | None = None,
    topics: Mapping[Topic, str] | None = None,
    store: str | None = None,
    datadir: Path | None = None,
    web_enabled: bool = False,
) -> faust.App:
    """The processors app; ``topics`` overrides topic names (tests use uuid topics), ``store`` the store."""
    conf = settings.processors
    app_id = app_id or conf.app_id
    names = {topic: topic_name(topic, settings.topics) for topic in Topic} | dict(topics or {})
    partitions = settings.topics.partitions
    datadir = datadir or settings.worker_state_dir / app_id
    datadir.mkdir(parents=True, exist_ok=True)
    login = settings.kafka.sasl_login()  # SASL credentials; else a TLS context or None (plaintext)
    app = faust.App(
        app_id,
        broker=[f"kafka://{server}" for server in settings.kafka.bootstrap_servers],
        broker_credentials=faust.SASLCredentials(**login) if login else settings.kafka.ssl_context(),
        broker_client_id=f"{settings.kafka.client_id}-processors",
        store=store or conf.store,
        datadir=str(datadir),
        topic_partitions=partitions,
        topic_replication_factor=settings.topics.replication_factor,
        web_enabled=web_enabled,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_max_request_size=MAX_MESSAGE_BYTES,  # as kafka-python's producers: what intake reads fits
    )

    # ---------------------------------------------------------------------------------------------- topics
    raw = app.topic(names[Topic.RAW], schema=_RAW)
    outputs: dict[Output, faust.TopicT] = {
        "duplicates": app.topic(names[Topic.DUPLICATES], schema=_RAW),
        "enriched": app.topic(names[Topic.ENRICHED], schema=_RAW),
        "clustered": app.topic(names[Topic.CLUSTERED], schema=_RAW),
        "stories": app.topic(names[Topic.STORIES], schema=_RAW),
        "alerts": app.topic(names[Topic.ALERTS], schema=_RAW),
        "deadletter": app.topic(names[Topic.DEADLETTER], schema=_RAW),
        # Internal: created by the worker, named after the app id.
        "unique": app.topic(f"{app_id}-unique", schema=_RAW, partitions=partitions, internal=True),
    }
    dedupe_in = app.topic(f"{app_id}-dedupe", schema=_RAW, partitions=1, internal=True)
    stories_in = app.topic(f"{app_id}-stories", schema=_RAW, partitions=1, internal=True)

    # ---------------------------------------------------------------------------------------------- tables
    window = app.Table(
        "dedupe-window",
        key_type=str,
        value_type=bytes,
        partitions=1,
        help="dedupe window, one entry an article",
    )
    frequencies = app.Table(
        "document-frequencies",
        key_type=str,
        value_type=bytes,
        partitions=partitions,
        help="keyword statistics per partition",
    )
    story_state = app.Table(
        "story-state", key_type=str, value_type=bytes, partitions=1, help="active stories and assignments"
    )
    alert_state = app.Table(
        "alert-state",
        key_type=str,
        value_type=bytes,
        partitions=partitions,
        help="what the alert rules fired, per active story",
    )

    # Heavy, read-only resources are loaded once per worker and shared by every partition's stage.
    shared: dict[str, Any] = {}

    def gazetteer() -> Gazetteer:
        if "gazetteer" not in shared:  # not setdefault: its default would be loaded at every call
            shared["gazetteer"] = Gazetteer.load()
        return shared["gazetteer"]  # type: ignore[no-any-return]

    def detector() -> LanguageDetector:
        if "detector" not in shared:
            shared["detector"] = LanguageDetector()
        return shared["detector"]  # type: ignore[no-any-return]

    # In-memory indexes are rebuilt from the tables after every rebalance (the tables are the truth).
    stages: dict[str, Any] = {}

    @app.on_rebalance_complete.connect
    async def _forget(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        stages.clear()

    def left_out(table: Any, name: str, unreadable: Unreadable) -> None:
        """Entries a restore could not read (an older format, corrupt bytes): say so, count, delete them."""
        if not unreadable:
            return
        first = next(iter(unreadable.items()))
        log.error(
            "state entries left out: unreadable",
            table=name,
            entries=len(unreadable),
            example_key=first[0],
            reason=first[1],
            action="the stage goes on without them; they are deleted (docs/operations.md, Recovery)",
        )
        metrics.STATE_LEFT_OUT.labels(table=name).inc(len(unreadable))
        for key in unreadable:
            table.pop(key, None)

    def dedupe_stage() -> DedupeStage:
        if "dedupe" not in stages:
            stage = DedupeStage(Deduper(window=timedelta(days=conf.dedupe_window_days)))
            left_out(window, "dedupe-window", stage.restore({k: v for k, v in window.items() if v}))
            stages["dedupe"] = stage
        return stages["dedupe"]  # type: ignore[no-any-return]

    def enrich_stage(partition: int) -> EnrichStage:
        key = f"enrich-{partition}"
        if key not in stages:
            enricher = Enricher(
                gazetteer=gazetteer(), detector=detector(), document_frequency=DocumentFrequency()
            )
            prefix = f"df-{partition}-"
            stage = EnrichStage(enricher, snapshot_prefix=prefix)
            entries = {k: v for k, v in frequencies.items() if k.startswith(prefix) and v}
            left_out(frequencies, "document-frequencies", stage.restore(entries))
            stages[key] = stage
        return stages[key]  # type: ignore[no-any-return]

    def cluster_stage() -> ClusterStage:
        if "cluster" not in stages:
            config = ClusterConfig(window=timedelta(hours=conf.story_window_hours))
            stage = ClusterStage(StoryClusterer(config))
            left_out(story_state, "story-state", stage.restore({k: v for k, v in story_state.items() if v}))
            stages["cluster"] = stage
        return stages["cluster"]  # type: ignore[no-any-return]

    # Built now, so that a bad KHABAR_ALERTS__WATCH stops the worker at start with its reason.
    rules = AlertRules(
        watch=settings.alerts.watch,
        growth_outlets=settings.alerts.growth_outlets,
        growth_hours=settings.alerts.growth_hours,
    )

    def alert_stage() -> AlertStage:
        if "alerts" not in stages:
            stage = AlertStage(rules)
            left_out(alert_state, "alert-state", stage.restore({k: v for k, v in alert_state.items() if v}))
            stages["alerts"] = stage
        return stages["alerts"]  # type: ignore[no-any-return]

    async def deliver(stage: str, result: StageResult, table: Any) -> None:
        for output, key, value in result.emits:
            await outputs[output].send(key=key.encode("utf-8"), value=value)
            metrics.MESSAGES.labels(stage=stage, output=output).inc()
        for key, entry in result.writes.items():
            if entry is None:
                table.pop(key, None)
            else:
                table[key] = entry
        if stage in stages:
            metrics.STATE_ENTRIES.labels(stage=stage).set(len(stages[stage]))

    def run(stage_name: str, step: Callable[[bytes | None, Source], StageResult], table: Any) -> Any:
        async def agent(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
            async for event in stream.events():
                source = _source(event, stage_name)
                with metrics.SECONDS.labels(stage=stage_name).time():
                    result = fit(step(event.value, source), stage_name, event.value, source)
                await deliver(stage_name, result, table)
                yield None

        agent.__name__ = agent.__qualname__ = stage_name
        return agent

    # ---------------------------------------------------------------------------------------------- agents
    @app.agent(raw, name="intake")
    async def intake(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        """Validate raw articles and gather them on the one dedupe partition; poison goes to dead letters."""
        async for event in stream.events():
            source = _source(event, names[Topic.RAW])
            try:
                if event.value is not None and len(event.value) > conf.max_article_bytes:
                    raise OversizeError(
                        f"article of {len(event.value)} bytes, over KHABAR_PROCESSORS__MAX_ARTICLE_BYTES="
                        f"{conf.max_article_bytes}: enriched, it would not fit a Kafka message"
                    )
                article = read(event.value, RawArticle)
            except (SchemaError, OversizeError) as exc:
                await outputs["deadletter"].send(
                    key=(source.key or "").encode(),
                    value=encode(dead_letter("intake", exc, event.value, source)),
                )
                metrics.MESSAGES.labels(stage="intake", output="deadletter").inc()
            else:
                await dedupe_in.send(key=article.id.encode("utf-8"), value=event.value)
                metrics.MESSAGES.labels(stage="intake", output="dedupe").inc()
            yield None

    app.agent(dedupe_in, name="dedupe")(
        run("dedupe", lambda payload, source: dedupe_stage().process(payload, source), window)
    )
    app.agent(outputs["unique"], name="enrich")(
        run(
            "enrich",
            lambda payload, source: enrich_stage(source.partition or 0).process(payload, source),
            frequencies,
        )
    )

    async def forward(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        async for event in stream.events():
            await stories_in.send(key=event.message.key, value=event.value)
            yield None

    @app.agent(outputs["enriched"], name="gather")
    async def gather(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        """Gather enriched articles on the one clustering partition, in arrival order."""
        async for item in forward(stream):
            yield item

    @app.agent(outputs["duplicates"], name="gather-copies")
    async def gather_copies(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        """Gather dedupe's ``duplicate_of`` relations there too: a story counts its wire copies."""
        async for item in forward(stream):
            yield item

    def cluster(payload: bytes | None, source: Source) -> StageResult:
        stage = cluster_stage()
        result = stage.process(payload, source)
        dropped = stage.take_dropped_copies()
        if dropped:
            log.warning(
                "wire copies left out of the stories",
                copies=dropped,
                reason="their original was not clustered within the story window (dead-lettered or too old)",
                action="none needed: they stay duplicates in search; check the dead letters of enrich",
            )
            metrics.COPIES_DROPPED.inc(dropped)
        return result

    app.agent(stories_in, name="cluster")(run("cluster", cluster, story_state))
    app.agent(outputs["stories"], name="alerts")(
        run("alerts", lambda payload, source: alert_stage().process(payload, source), alert_state)
    )
    return app

"""The Kafka topics khabar owns: names, keys, value schemas, partitions and retention.

Producers, processors and sinks meet only here. Every topic is keyed by the id of what it carries (article id
or story id), so all records about one article or one story land on one partition, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from contracts.errors import TopicError
from contracts.settings import TopicSettings

_DAY_MS = 24 * 60 * 60 * 1000
#: The largest message a khabar client sends (Kafka's default ``max.request.size``, kafka-python's and the
#: Faust workers' limit alike; the broker's ``message.max.bytes`` default is a few bytes over it).
MAX_MESSAGE_BYTES = 1_048_576


class Topic(StrEnum):
    """The logical topics; their real names carry the configured prefix."""

    RAW = "articles.raw"
    ENRICHED = "articles.enriched"
    DUPLICATES = "articles.duplicates"
    CLUSTERED = "articles.clustered"
    STORIES = "stories.updates"
    ALERTS = "alerts"
    DEADLETTER = "deadletter"


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicSpec:
    """What one topic is: its name, what its keys and values are, and how Kafka keeps it."""

    topic: Topic
    name: str
    key: str
    value: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    description: str = ""

    def __post_init__(self) -> None:
        if self.partitions < 1:
            raise TopicError(f"topic {self.name!r}: partitions must be at least 1, got {self.partitions}")
        if self.replication_factor < 1:
            raise TopicError(
                f"topic {self.name!r}: replication_factor must be at least 1, got {self.replication_factor}"
            )


# (topic, key, value schema kind, cleanup policy, description)
_CATALOGUE: tuple[tuple[Topic, str, str, str, str], ...] = (
    (Topic.RAW, "article id", "raw_article", "delete", "normalised feed items, as published by producers"),
    (Topic.ENRICHED, "article id", "enriched_article", "delete", "unique articles with text analysis"),
    (Topic.DUPLICATES, "article id", "duplicate", "delete", "duplicate_of relations (exact and near)"),
    (Topic.CLUSTERED, "article id", "clustered_article", "delete", "enriched articles with their story id"),
    (Topic.STORIES, "story id", "story_update", "compact,delete", "versioned story snapshots and merges"),
    (Topic.ALERTS, "story id", "alert", "delete", "alerts fired by the rules"),
    (
        Topic.DEADLETTER,
        "original key",
        "dead_letter",
        "delete",
        "what failed, with the reason and the payload",
    ),
)


def topic_name(topic: Topic, settings: TopicSettings) -> str:
    """The real topic name: ``prefix + logical name``."""
    return f"{settings.prefix}{topic.value}"


def topic_specs(settings: TopicSettings) -> tuple[TopicSpec, ...]:
    """Every topic the pipeline needs, in data-flow order."""
    specs = []
    for topic, key, value, cleanup, description in _CATALOGUE:
        days = settings.deadletter_retention_days if topic is Topic.DEADLETTER else settings.retention_days
        config = {
            "cleanup.policy": cleanup,
            "retention.ms": str(days * _DAY_MS),
            "compression.type": "producer",
        }
        specs.append(
            TopicSpec(
                topic=topic,
                name=topic_name(topic, settings),
                key=key,
                value=value,
                partitions=settings.partitions,
                replication_factor=settings.replication_factor,
                config=MappingProxyType(config),
                description=description,
            )
        )
    return tuple(specs)

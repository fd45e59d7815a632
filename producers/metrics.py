"""Prometheus metrics of the producers: fetches, items, dead letters, rounds, and the health of each feed.

Everything lives in one :class:`ProducerMetrics` over an injectable ``CollectorRegistry`` (a fresh one per
test; the process-wide default for ``khabar produce``, which serves it over HTTP). Labels: ``feed`` (the feed
URL) and ``outlet``; fetch outcomes are the :data:`producers.fetch.Outcome` values.

>>> from prometheus_client import CollectorRegistry
>>> registry = CollectorRegistry()
>>> metrics = ProducerMetrics(registry)
>>> metrics.published.labels(outlet="bbc-arabic").inc(3)
>>> registry.get_sample_value("khabar_producer_items_published_total", {"outlet": "bbc-arabic"})
3.0
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from .health import FeedHealth

__all__ = ["ProducerMetrics"]

_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ProducerMetrics:
    """The producers' metric families, registered on ``registry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry if registry is not None else REGISTRY
        self.registry = registry
        self.fetches = Counter(
            "khabar_producer_fetches_total",
            "Feed fetches by outcome (ok, not_modified, http_error, timeout, network, too_large, redirects)",
            ["feed", "outlet", "outcome"],
            registry=registry,
        )
        self.fetch_seconds = Histogram(
            "khabar_producer_fetch_seconds",
            "Time to fetch one feed, whatever the outcome",
            buckets=_FETCH_BUCKETS,
            registry=registry,
        )
        self.published = Counter(
            "khabar_producer_items_published_total",
            "New feed items published to Kafka and acknowledged",
            ["outlet"],
            registry=registry,
        )
        self.already_seen = Counter(
            "khabar_producer_items_seen_total",
            "Feed items skipped because they were published before",
            ["outlet"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "khabar_producer_dead_letters_total",
            "Feeds or entries sent to the dead-letter topic, by stage (feed: unreadable document; entry)",
            ["outlet", "stage"],
            registry=registry,
        )
        self.rounds = Counter("khabar_producer_rounds_total", "Polling rounds completed", registry=registry)
        self.round_seconds = Histogram(
            "khabar_producer_round_seconds", "Time of one polling round", registry=registry
        )
        self.consecutive_failures = Gauge(
            "khabar_feed_consecutive_failures",
            "Failed polls in a row (0 when the last poll succeeded)",
            ["feed", "outlet"],
            registry=registry,
        )
        self.last_success = Gauge(
            "khabar_feed_last_success_timestamp_seconds",
            "Unix time of the last successful poll (0: never)",
            ["feed", "outlet"],
            registry=registry,
        )
        self.items_per_day = Gauge(
            "khabar_feed_items_per_day",
            "Items published from the feed in the last 24 hours",
            ["feed", "outlet"],
            registry=registry,
        )
        self.next_poll = Gauge(
            "khabar_feed_next_poll_timestamp_seconds",
            "Unix time the feed is next due (backoff included)",
            ["feed", "outlet"],
            registry=registry,
        )

    def observe_health(self, outlet: str, health: FeedHealth, *, now: datetime) -> None:
        """Set the per-feed gauges from a health record."""
        labels = {"feed": health.key, "outlet": outlet}
        self.consecutive_failures.labels(**labels).set(health.consecutive_failures)
        self.last_success.labels(**labels).set(health.last_success.timestamp() if health.last_success else 0)
        self.items_per_day.labels(**labels).set(health.items_per_day(now=now))
        self.next_poll.labels(**labels).set(health.next_due.timestamp() if health.next_due else 0)

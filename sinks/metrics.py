"""Prometheus metrics of the sink worker (one set per process, labelled by record kind)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RECORDS = Counter(
    "khabar_sink_records_total",
    "Records handled by the sinks, by kind (article, duplicate, story, alert) and outcome "
    "(written, noop, stale, dead_lettered).",
    ["kind", "outcome"],
)
MERGES = Counter("khabar_sink_duplicate_merges_total", "Duplicate relations merged into original articles.")
RETRIES = Counter(
    "khabar_sink_retries_total", "Elasticsearch requests retried (connection errors, 429, 5xx).", ["request"]
)
BATCH_SECONDS = Histogram(
    "khabar_sink_batch_seconds",
    "Time to index one batch, retries included.",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
ALERTS = Counter(
    "khabar_sink_alerts_total",
    "Alerts handled by the webhook agent, by outcome (delivered, dead_lettered, undecodable).",
    ["outcome"],
)

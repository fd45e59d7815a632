"""Prometheus metrics of the processors: messages per stage and output, processing time, state size."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES = Counter(
    "khabar_processor_messages_total",
    "Messages emitted by a processing stage, by output (unique, duplicates, enriched, deadletter, ...).",
    ["stage", "output"],
)
SECONDS = Histogram(
    "khabar_processor_seconds",
    "Time one stage spends on one message (pure processing, not Kafka I/O).",
    ["stage"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0),
)
STATE_ENTRIES = Gauge(
    "khabar_processor_state_entries",
    "Entries in a stage's window (dedupe fingerprints, active stories).",
    ["stage"],
)
STATE_LEFT_OUT = Counter(
    "khabar_processor_state_left_out_total",
    "Table entries a restore could not read (older format, corrupt) and left out, then deleted, by table.",
    ["table"],
)
COPIES_DROPPED = Counter(
    "khabar_processor_copies_dropped_total",
    "Wire copies left out of the stories: their original was never clustered within the story window "
    "(dead-lettered, or older than the window). They stay duplicates in search.",
)

"""End-to-end rate of the processors through real Kafka and a real worker (issue 4's second benchmark).

Publishes N real SaudiNewsNet articles to uuid-named topics, starts `khabar process` (RocksDB tables, as in
production), and measures the time from the worker's first output to the moment every article has come out
of the pipeline clustered or as a duplicate. Prints articles/s and writes benchmarks/results/pipeline.json.

    .venv/bin/python -m benchmarks.pipeline --articles 2000 --partitions 6
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from contracts.schemas import encode
from contracts.settings import TopicSettings, load_settings
from contracts.topics import Topic, topic_name, topic_specs
from infra.topics import admin_client, client_config, ensure_topics
from producers.corpus import read_corpus, to_raw_article

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "saudinewsnet"


def _count(consumer: KafkaConsumer, seen: set[str]) -> None:
    for records in consumer.poll(timeout_ms=500, max_records=5000).values():
        for record in records:
            seen.add(record.key.decode())


def run_once(articles: int, partitions: int) -> dict[str, float]:
    settings = load_settings()
    run = uuid.uuid4().hex[:10]
    topics = TopicSettings(prefix=f"bench{run}.", partitions=partitions)
    admin = admin_client(settings.kafka)
    ensure_topics(admin, topic_specs(topics))
    items = [to_raw_article(item) for item in read_corpus(CORPUS)[:articles]]
    producer = KafkaProducer(**client_config(settings.kafka, "bench"), acks="all", linger_ms=20)
    for article in items:
        producer.send(topic_name(Topic.RAW, topics), key=article.id.encode(), value=encode(article))
    producer.flush()
    producer.close()
    consumer = KafkaConsumer(
        topic_name(Topic.CLUSTERED, topics),
        topic_name(Topic.DUPLICATES, topics),
        **client_config(settings.kafka, "bench"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    with tempfile.TemporaryDirectory() as data:
        env = os.environ | {
            "KHABAR_TOPICS__PREFIX": topics.prefix,
            "KHABAR_TOPICS__PARTITIONS": str(partitions),
            "KHABAR_PROCESSORS__APP_ID": f"bench-{run}",
            "KHABAR_PROCESSORS__METRICS_PORT": "0",
            "KHABAR_DATA_DIR": data,
            "KHABAR_LOG_FORMAT": "json",
        }
        log = Path(data) / "worker.log"
        worker = subprocess.Popen(
            [sys.executable, "-m", "khabar", "process"],
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        seen: set[str] = set()
        first = 0.0
        try:
            deadline = time.monotonic() + 1800
            while len(seen) < len(items):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"worker stopped or timed out; log:\n{log.read_text()[-3000:]}")
                _count(consumer, seen)
                if seen and not first:
                    first = time.monotonic()
            elapsed = time.monotonic() - first
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=120)
            consumer.close()
            created = [name for name in admin.list_topics() if run in name]
            if created:
                admin.delete_topics(created)
            admin.close()
    return {
        "articles": len(items),
        "seconds": round(elapsed, 2),
        "articles_per_s": round(len(items) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles to push through (default 2000)")
    parser.add_argument("--partitions", type=int, default=6, help="partitions of every topic (default 6)")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported (default 3)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "pipeline.json")
    args = parser.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is absent: the benchmark needs ../shared beside the project")
    runs = [run_once(args.articles, args.partitions) for _ in range(args.runs)]
    rates = [run["articles_per_s"] for run in runs]
    result = {
        "benchmark": "processors end to end (raw -> clustered/duplicates) through Kafka and one worker",
        "articles": args.articles,
        "partitions": args.partitions,
        "median_articles_per_s": statistics.median(rates),
        "runs": runs,
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "load": os.getloadavg(),
        },
    }
    print(f"end to end: {result['median_articles_per_s']} articles/s (median of {args.runs}; runs {rates})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

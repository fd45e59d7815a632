"""Indexing benchmarks on the local stack: bulk throughput and publish-to-searchable latency.

1. Bulk throughput (docs/s): real SaudiNewsNet articles, shaped like the enricher's output (keywords,
   entities, places, lead, word count), merged into uuid-prefixed monthly indices through the sink's own
   ``Indexer`` (read, merge, conditional bulk write), ``--batch`` docs a request; median of ``--runs`` runs.
2. End-to-end latency: a real sink worker (``python -m khabar sink``) on uuid topics; kafka-python publishes
   clustered articles at a steady ``--rate`` per second for ``--seconds``; a poller searches for the published
   ids (``ids`` query: visible only after a refresh) and records, per article, the time from publish to first
   seen in a search. p50 and p95; target p95 <= 2 s.

    .venv/bin/python benchmarks/indexing.py            # both, writes benchmarks/results/indexing.json
    .venv/bin/python benchmarks/indexing.py --skip-latency --docs 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from contracts.schemas import ClusteredArticle, EnrichedArticle, Entity, Place, encode  # noqa: E402
from contracts.settings import Settings, load_settings  # noqa: E402
from producers.corpus import read_corpus, to_raw_article  # noqa: E402
from sinks.bulk import BulkWriter  # noqa: E402
from sinks.elasticsearch import async_client, client, setup  # noqa: E402
from sinks.indexer import Indexer  # noqa: E402
from sinks.indices import IndexNames  # noqa: E402

OUT = REPO / "benchmarks" / "results" / "indexing.json"
CORPUS = REPO.parent / "shared" / "data" / "saudinewsnet"
PLACES = [
    Place(name="الرياض", country_code="SA", lat=24.69, lon=46.72),
    Place(name="جدة", country_code="SA", lat=21.54, lon=39.17),
    Place(name="دمشق", country_code="SY", lat=33.51, lon=36.29),
]


def enriched(limit: int, corpus: Path) -> list[EnrichedArticle]:
    """Corpus articles with the fields the enricher adds (cheap stand-ins: frequent words, fixed places)."""
    articles = []
    for item in read_corpus(corpus):
        raw = to_raw_article(item)
        words = raw.content.split()
        common = [w for w, _ in Counter(w for w in words if len(w) > 4).most_common(8)]
        articles.append(
            EnrichedArticle(
                **raw.model_dump(exclude={"kind"}),
                language="ar",
                word_count=len(words),
                reading_time_s=len(words) // 4,
                keywords=common,
                places=[PLACES[len(articles) % len(PLACES)]],
                entities=[Entity(name=common[0] if common else "-", type="person")],
                lead=raw.content[:300],
            )
        )
        if len(articles) >= limit:
            break
    return articles


def drop(settings: Settings, names: IndexNames) -> None:
    es = client(settings.elasticsearch)
    try:
        indices = list(es.indices.get(index=names.all_pattern))
        if indices:
            es.indices.delete(index=",".join(indices))
        for template in names.aliases:
            es.options(ignore_status=404).indices.delete_index_template(name=template)
    finally:
        es.close()


def fresh_names(settings: Settings) -> IndexNames:
    names = IndexNames(f"bench-{uuid.uuid4().hex[:10]}")
    es = client(settings.elasticsearch)
    try:
        setup(es, names=names)
    finally:
        es.close()
    return names


async def _throughput_run(settings: Settings, records: list[ClusteredArticle], batch: int) -> float:
    names = fresh_names(settings)
    es = async_client(settings.elasticsearch)
    indexer = Indexer(BulkWriter(es), names)
    try:
        started = time.perf_counter()
        for start in range(0, len(records), batch):
            result = await indexer.index_articles(records[start : start + batch])
            if result.outcome.failures:
                raise SystemExit(f"bulk failures: {result.outcome.failures[:3]}")
        elapsed = time.perf_counter() - started
    finally:
        await es.close()
        drop(settings, names)
    return len(records) / elapsed


def throughput(settings: Settings, articles: list[EnrichedArticle], batch: int, runs: int) -> dict[str, Any]:
    records = [
        ClusteredArticle(article=a, story_id=f"s{i % 500}", story_version=1) for i, a in enumerate(articles)
    ]
    rates = [asyncio.run(_throughput_run(settings, records, batch)) for _ in range(runs)]
    for number, rate in enumerate(rates, 1):
        print(f"  run {number}: {rate:,.0f} docs/s")
    return {
        "docs": len(records),
        "batch": batch,
        "runs_docs_per_s": rates,
        "median_docs_per_s": statistics.median(rates),
    }


def latency(
    settings: Settings, articles: list[EnrichedArticle], rate: float, seconds: float
) -> dict[str, Any]:
    from kafka import KafkaProducer
    from kafka.admin import NewTopic

    from contracts.topics import Topic
    from infra.topics import admin_client

    names = fresh_names(settings)
    prefix = f"bench-{uuid.uuid4().hex[:10]}."
    topics = [prefix + t.value for t in (Topic.CLUSTERED, Topic.DUPLICATES, Topic.STORIES, Topic.DEADLETTER)]
    admin = admin_client(settings.kafka)
    admin.create_topics([NewTopic(name, 1, 1) for name in topics])
    admin.wait_for_topics(topics, timeout_ms=30000)
    tmp = Path(tempfile.mkdtemp(prefix="khabar-bench-"))
    env = dict(
        os.environ,
        KHABAR_DATA_DIR=str(tmp),
        KHABAR_TOPICS__PREFIX=prefix,
        KHABAR_TOPICS__PARTITIONS="1",
        KHABAR_SINKS__APP_ID=f"bench-{uuid.uuid4().hex[:8]}",
        KHABAR_SINKS__INDEX_PREFIX=names.prefix,
        KHABAR_SINKS__METRICS_PORT="0",
        KHABAR_SINKS__BULK_MAX_SECONDS="0.2",
    )
    log = open(tmp / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "khabar", "sink", "--skip-setup"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    es = client(settings.elasticsearch)
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap, linger_ms=0)
    try:
        # warm-up: wait until the worker indexes one article, so start-up and rebalancing are not measured
        warm = ClusteredArticle(
            article=articles[0].model_copy(update={"published": datetime.now(UTC)}),
            story_id="warm",
            story_version=1,
        )
        producer.send(topics[0], key=warm.article.id.encode(), value=encode(warm)).get(timeout=30)
        deadline = time.monotonic() + 180
        while not _found(es, names, [warm.article.id]):
            if time.monotonic() > deadline:
                raise SystemExit(f"the sink worker indexed nothing; see {tmp / 'worker.log'}")
            time.sleep(0.2)
        total = int(rate * seconds)
        sent: dict[str, float] = {}
        seen: dict[str, float] = {}
        started = time.monotonic()
        next_poll = started
        for n in range(total):
            due = started + n / rate
            while time.monotonic() < due:
                if time.monotonic() >= next_poll:
                    _poll(es, names, sent, seen)
                    next_poll = time.monotonic() + 0.05
                time.sleep(min(0.002, max(0.0, due - time.monotonic())))
            article = articles[1 + n % (len(articles) - 1)]
            record = ClusteredArticle(
                article=article.model_copy(
                    update={"id": uuid.uuid4().hex[:16], "published": datetime.now(UTC)}
                ),
                story_id=f"s{n % 50}",
                story_version=1,
            )
            producer.send(topics[0], key=record.article.id.encode(), value=encode(record))
            sent[record.article.id] = time.monotonic()
        producer.flush()
        deadline = time.monotonic() + 60
        while len(seen) < len(sent) and time.monotonic() < deadline:
            _poll(es, names, sent, seen)
            time.sleep(0.05)
    finally:
        producer.close()
        worker.terminate()
        worker.wait(timeout=60)
        log.close()
        es.close()
        admin.delete_topics(topics)
        admin.close()
        drop(settings, names)
    delays = sorted(seen[i] - sent[i] for i in seen)
    if len(seen) < len(sent):
        raise SystemExit(f"only {len(seen)} of {len(sent)} articles became searchable")
    p50 = statistics.median(delays)
    p95 = delays[int(0.95 * (len(delays) - 1))]
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "articles": len(sent),
        "p50_s": p50,
        "p95_s": p95,
        "max_s": delays[-1],
        "target_p95_s": 2.0,
        "meets_target": p95 <= 2.0,
    }


def _found(es: Any, names: IndexNames, ids: list[str]) -> set[str]:
    response = es.search(
        index=names.articles_pattern,
        query={"ids": {"values": ids}},
        source=False,
        size=len(ids),
        allow_no_indices=True,
        ignore_unavailable=True,
    )
    return {hit["_id"] for hit in response["hits"]["hits"]}


def _poll(es: Any, names: IndexNames, sent: dict[str, float], seen: dict[str, float]) -> None:
    pending = [i for i in sent if i not in seen]
    if not pending:
        return
    now = time.monotonic()
    for start in range(0, len(pending), 1000):
        for found in _found(es, names, pending[start : start + 1000]):
            seen[found] = now


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="SaudiNewsNet folder or file")
    parser.add_argument("--docs", type=int, default=5000, help="documents per throughput run")
    parser.add_argument("--batch", type=int, default=500, help="documents per bulk request")
    parser.add_argument("--runs", type=int, default=3, help="throughput runs (the median is reported)")
    parser.add_argument("--rate", type=float, default=100.0, help="articles published per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to publish for the latency run")
    parser.add_argument("--skip-latency", action="store_true", help="only measure throughput")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the JSON results")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"no corpus at {args.corpus}: pass --corpus")
    settings = load_settings()
    articles = enriched(args.docs, args.corpus)
    print(
        f"bulk throughput: {len(articles)} SaudiNewsNet articles, batches of {args.batch}, {args.runs} runs"
    )
    result: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "throughput": throughput(settings, articles, args.batch, args.runs),
    }
    print(f"bulk throughput: median {result['throughput']['median_docs_per_s']:,.0f} docs/s")
    if not args.skip_latency:
        print(f"latency: {args.rate:g} articles/s for {args.seconds:g} s through a real sink worker")
        result["latency"] = latency(settings, articles, args.rate, args.seconds)
        lat = result["latency"]
        print(
            f"publish -> searchable: p50 {lat['p50_s']:.2f} s, p95 {lat['p95_s']:.2f} s (target p95 <= 2 s)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

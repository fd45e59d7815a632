"""Parse + publish throughput of the producers (entries/s) against the local Kafka, on one core.

Usage: python benchmarks/producers.py [--entries N] [--items-per-feed N] [--runs N] [--compression ...]

Builds RSS 2.0 documents from real SaudiNewsNet articles in two shapes: "summary" items (title, link, guid,
pubDate, author and the first paragraph as description: what most news feeds serve) and "full" items (the
same plus the whole article as HTML paragraphs in content:encoded). Pinned to one CPU, for each shape:

* parse: producers.parse.parse_feed over every document (feedparser, HTML to text, ids);
* publish: Publisher.publish of the parsed articles to a fresh uuid topic, then flush (every record acked),
  once per compression codec;
* both: parse then publish end to end into another fresh topic, with the default codec ("auto").

Each figure is the median of --runs runs. Topics are created with kafka-python's admin client and deleted
after. Writes benchmarks/results/producers.json and prints the figures. Target: 2,000 entries/s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder leads sys.path, and this file's name would shadow the `producers` package.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import html
import importlib.util
import json
import os
import platform
import statistics
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from importlib.metadata import version
from typing import Any

from kafka.admin import NewTopic

from contracts.schemas import RawArticle
from contracts.settings import Settings, load_settings
from infra.topics import admin_client
from producers.corpus import parse_time
from producers.errors import PublishError
from producers.parse import parse_feed
from producers.publish import Publisher, compression_type

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
CORPUS = SHARED / "data" / "saudinewsnet"
OUT = REPO / "benchmarks" / "results" / "producers.json"
TARGET = 2000.0
FETCHED = datetime(2015, 8, 12, tzinfo=UTC)


def corpus_rows(limit: int) -> Iterator[dict[str, Any]]:
    count = 0
    for archive in sorted(CORPUS.glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                for row in json.loads(zf.read(name)):
                    if count >= limit:
                        return
                    if row.get("url") and row.get("date_extracted"):
                        count += 1
                        yield row


def rss_item(row: dict[str, Any], full: bool) -> str:
    paragraphs = [p.strip() for p in str(row.get("content") or "").split("\n") if p.strip()]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    summary = html.escape(paragraphs[0][:300] if paragraphs else "")
    published = format_datetime(parse_time(row["date_extracted"]))
    return (
        f"<item><title>{html.escape(row.get('title') or '')}</title><link>{html.escape(row['url'])}</link>"
        f'<guid isPermaLink="false">{html.escape(row["url"])}</guid><pubDate>{published}</pubDate>'
        f"<author>{html.escape(row.get('author') or '')}</author><description>{summary}</description>"
        + (f"<content:encoded><![CDATA[{body}]]></content:encoded>" if full else "")
        + "</item>"
    )


def build_feeds(rows: list[dict[str, Any]], per_feed: int, *, full: bool) -> list[tuple[str, bytes]]:
    """(outlet, RSS bytes) documents of ``per_feed`` items each, grouped by outlet as real feeds are."""
    by_outlet: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_outlet.setdefault(row["source"], []).append(row)
    feeds = []
    for outlet, items in sorted(by_outlet.items()):
        for start in range(0, len(items), per_feed):
            chunk = "".join(rss_item(row, full) for row in items[start : start + per_feed])
            document = (
                '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                f"<title>{outlet}</title><link>https://{outlet}.example/</link><language>ar</language>"
                f"{chunk}</channel></rss>"
            )
            feeds.append((outlet, document.encode("utf-8")))
    return feeds


def parse_all(feeds: list[tuple[str, bytes]]) -> list[RawArticle]:
    articles: list[RawArticle] = []
    for outlet, document in feeds:
        result = parse_feed(
            document, feed_url=f"https://{outlet}.example/rss", outlet=outlet, fetched_at=FETCHED
        )
        articles.extend(result.articles)
    return articles


def publish_all(publisher: Publisher, articles: list[RawArticle]) -> None:
    for article in articles:
        publisher.publish(article)
    stats = publisher.flush(timeout_s=300)
    if stats.acked != stats.sent or stats.sent != len(articles):
        raise SystemExit(f"not every article was acknowledged: {stats}")


class Topics:
    """Fresh uuid topics on the local Kafka, deleted on exit."""

    def __init__(self, settings: Settings, partitions: int) -> None:
        self.admin = admin_client(settings.kafka)
        self.partitions = partitions
        self.made: list[str] = []

    def new(self, prefix: str) -> str:
        name = f"bench-{prefix}-{uuid.uuid4().hex[:10]}"
        self.admin.create_topics([NewTopic(name, self.partitions, 1)])
        self.admin.wait_for_topics([name], timeout_ms=30000)
        self.made.append(name)
        return name

    def close(self) -> None:
        if self.made:
            self.admin.delete_topics(self.made)
        self.admin.close()


def with_compression(settings: Settings, compression: str) -> Settings:
    producers = settings.producers.model_copy(update={"compression": compression})
    return settings.model_copy(update={"producers": producers})


def timed_publish(settings: Settings, topics: Topics, articles: list[RawArticle]) -> float:
    with Publisher(settings, topic=topics.new("publish"), deadletter_topic=topics.new("dead")) as publisher:
        started = time.perf_counter()
        publish_all(publisher, articles)
        return len(articles) / (time.perf_counter() - started)


def one_run(
    settings: Settings, topics: Topics, feeds: list[tuple[str, bytes]], codecs: list[str]
) -> dict[str, float]:
    started = time.perf_counter()
    articles = parse_all(feeds)
    figures = {"parse": len(articles) / (time.perf_counter() - started)}
    for codec in codecs:
        figures[f"publish_{codec}"] = timed_publish(with_compression(settings, codec), topics, articles)
    with Publisher(settings, topic=topics.new("both"), deadletter_topic=topics.new("dead")) as publisher:
        started = time.perf_counter()
        parsed = parse_all(feeds)
        publish_all(publisher, parsed)
        figures["both"] = len(parsed) / (time.perf_counter() - started)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000, help="feed entries per run (default 5000)")
    parser.add_argument("--items-per-feed", type=int, default=50, help="items per RSS document (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="runs per compression; medians are reported")
    parser.add_argument(
        "--compression", default="none,gzip,lz4,zstd", help="codecs to compare for publish (comma-separated)"
    )
    parser.add_argument("--partitions", type=int, default=6, help="partitions of each benchmark topic")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the first allowed)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (set KHABAR_SHARED_DIR)")
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})

    rows = list(corpus_rows(args.entries))
    codecs = []
    for codec in (c.strip() for c in args.compression.split(",") if c.strip()):
        try:
            compression_type(codec)
            codecs.append(codec)
        except PublishError as exc:
            print(f"skipping {codec}: {exc}")
    settings = load_settings()
    chosen = compression_type(settings.producers.compression)
    topics = Topics(settings, args.partitions)
    results: dict[str, Any] = {}
    try:
        for shape in ("summary", "full"):
            feeds = build_feeds(rows, args.items_per_feed, full=shape == "full")
            runs = [one_run(settings, topics, feeds, codecs) for _ in range(args.runs)]
            medians = {key: round(statistics.median(run[key] for run in runs)) for key in runs[0]}
            results[shape] = {
                "rss_bytes": sum(len(document) for _, document in feeds),
                "median_entries_per_s": medians,
                "runs": [{key: round(value) for key, value in run.items()} for run in runs],
            }
            publish = ", ".join(f"{codec} {medians[f'publish_{codec}']}" for codec in codecs)
            print(
                f"{shape:>7} items: parse {medians['parse']} entries/s; publish {publish} entries/s; "
                f"parse+publish ({settings.producers.compression} = {chosen or 'none'}) {medians['both']} "
                f"entries/s (medians of {args.runs})"
            )
    finally:
        topics.close()
    report = {
        "benchmark": "producers parse + publish",
        "command": "python " + " ".join([f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]]),
        "corpus": f"SaudiNewsNet ({CORPUS.name}), first {len(rows)} articles",
        "entries": len(rows),
        "items_per_feed": args.items_per_feed,
        "runs": args.runs,
        "target_entries_per_s": TARGET,
        "producer": {
            "compression": f"{settings.producers.compression} ({chosen or 'none'})",
            "linger_ms": settings.producers.linger_ms,
            "batch_bytes": settings.producers.batch_bytes,
            "acks": "all",
            "idempotence": True,
            "partitions": args.partitions,
        },
        "results": results,
        "machine": {
            "cpu_count": os.cpu_count(),
            "pinned_cpu": cpu,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "kafka_python": version("kafka-python"),
            "crc32c_c_extension": importlib.util.find_spec("crc32c") is not None,
            "feedparser": version("feedparser"),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()

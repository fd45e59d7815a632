"""Parse + publish throughput of the producers (entries per CPU-second) against the local Kafka, on one core.

Usage: python -m benchmarks.producers [--entries N] [--items-per-feed N] [--runs N] [--compression ...]
       [--profile N]

Builds RSS 2.0 documents from real SaudiNewsNet articles in two shapes: "summary" items (title, link, guid,
pubDate, author and the first paragraph as description: what most news feeds serve) and "full" items (the
same plus the whole article as HTML paragraphs in content:encoded). Pinned to one CPU, for each shape:

* feedparser: ``feedparser.parse`` alone, with the options ``parse_feed`` uses: the ceiling for parsing;
* parse: the poller's parse path, producers.parse.parse_document (feedparser, HTML to text, URLs, ids,
  records, the wrong-charset check) and unique_articles, over every document;
* publish: Publisher.publish of the parsed articles to a fresh uuid topic, then flush (every record acked),
  once per compression codec;
* both: feed by feed, parse then publish (kafka-python's sender thread ships feed k while feed k+1 is
  parsed), one flush at the end, with the default codec ("auto"), into another fresh topic;
* both_flush_per_feed: the same, flushing after every feed as the poller does (it marks a feed's items seen
  only once they are acknowledged).

"One core" is the CPU time of the whole process (``time.process_time``: the main thread and kafka-python's
sender thread), so the figures are entries per CPU-second; wall-clock rates are kept in the JSON too (the
broker shares the machine). Each figure is the median of --runs runs. Topics are created with
kafka-python's admin client and deleted after. Writes benchmarks/results/producers.json and prints the
figures. Target: 2,000 entries/s for "both" on summary items. ``--profile N`` adds a cProfile of one "both"
run (main thread) and prints the N functions with the most own time, grouped by package as well.

``--gc-threshold N`` freezes the start-up heap and sets the garbage collector's generation-0 threshold (what
tuning the producer process would give); ``benchmarks/producers_gc.py`` compares thresholds.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder leads sys.path, and this file's name would shadow the `producers` package.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import cProfile
import gc
import html
import importlib.util
import io
import json
import os
import platform
import pstats
import resource
import statistics
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from importlib.metadata import version
from typing import Any

import feedparser
from kafka.admin import NewTopic

from contracts.schemas import RawArticle
from contracts.settings import Settings, load_settings
from infra.topics import admin_client
from producers.corpus import parse_time
from producers.errors import PublishError
from producers.parse import parse_document, unique_articles
from producers.publish import Publisher, compression_type

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
CORPUS = SHARED / "data" / "saudinewsnet"
OUT = REPO / "benchmarks" / "results" / "producers.json"
TARGET = 2000.0
FETCHED = datetime(2015, 8, 12, tzinfo=UTC)
Feeds = list[tuple[str, bytes]]


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


def build_feeds(rows: list[dict[str, Any]], per_feed: int, *, full: bool) -> Feeds:
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


def parse_one(outlet: str, document: bytes) -> list[RawArticle]:
    """The poller's parse path: parse_document (with the wrong-charset check), one article per id."""
    result, _problem = parse_document(
        document, feed_url=f"https://{outlet}.example/rss", outlet=outlet, fetched_at=FETCHED
    )
    return list(unique_articles(result.articles).values())


def parse_all(feeds: Feeds) -> list[RawArticle]:
    return [article for outlet, document in feeds for article in parse_one(outlet, document)]


def feedparser_only(feeds: Feeds) -> int:
    """feedparser.parse alone, as parse_feed calls it (no sanitiser, no relative-URI rewriting)."""
    entries = 0
    for _outlet, document in feeds:
        parsed = feedparser.parse(
            io.BytesIO(document),
            response_headers={"content-type": "application/xml"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        entries += len(parsed.entries)
    return entries


def check_delivered(publisher: Publisher, expected: int) -> None:
    stats = publisher.flush(timeout_s=300)
    if stats.acked != stats.sent or stats.sent != expected:
        raise SystemExit(f"not every article was acknowledged: {stats}")


def publish_all(publisher: Publisher, articles: list[RawArticle]) -> int:
    for article in articles:
        publisher.publish(article)
    check_delivered(publisher, len(articles))
    return len(articles)


def parse_and_publish(publisher: Publisher, feeds: Feeds, *, flush_each: bool = False) -> int:
    """Feed by feed: parse, then publish; the sender thread ships one feed while the next one is parsed."""
    count = 0
    for outlet, document in feeds:
        for article in parse_one(outlet, document):
            publisher.publish(article)
            count += 1
        if flush_each:
            publisher.flush(timeout_s=300)
    check_delivered(publisher, count)
    return count


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


def measure(work: Callable[[], int]) -> tuple[float, float]:
    """(entries per CPU-second of the whole process, entries per wall-clock second) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    entries = work()
    return entries / (time.process_time() - cpu), entries / (time.perf_counter() - wall)


def publisher(settings: Settings, topics: Topics, prefix: str) -> Publisher:
    return Publisher(settings, topic=topics.new(prefix), deadletter_topic=topics.new("dead"))


def one_run(
    settings: Settings, topics: Topics, feeds: Feeds, codecs: list[str]
) -> dict[str, tuple[float, float]]:
    figures = {"feedparser": measure(lambda: feedparser_only(feeds))}
    articles: list[RawArticle] = []

    def parse() -> int:
        articles.extend(parse_all(feeds))
        return len(articles)

    figures["parse"] = measure(parse)
    for codec in codecs:
        with publisher(with_compression(settings, codec), topics, "publish") as pub:
            figures[f"publish_{codec}"] = measure(partial(publish_all, pub, articles))
    with publisher(settings, topics, "both") as pub:
        figures["both"] = measure(lambda: parse_and_publish(pub, feeds))
    with publisher(settings, topics, "both") as pub:
        figures["both_flush_per_feed"] = measure(lambda: parse_and_publish(pub, feeds, flush_each=True))
    return figures


def profile_both(settings: Settings, topics: Topics, feeds: Feeds, top: int) -> dict[str, Any]:
    """cProfile of one parse + publish run (main thread): the top functions and the share of each package.

    Time in the standard library and in builtins (``str.translate``, the expat parser, ``copy.deepcopy``)
    counts for the package that called it, so "feedparser" is everything feedparser costs.
    """
    profiler = cProfile.Profile()
    with publisher(settings, topics, "profile") as pub:
        profiler.enable()
        parse_and_publish(pub, feeds)
        profiler.disable()
    raw: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(own for _calls, _prim, own, _cum, _callers in raw.values())
    packages: dict[str, float] = {}
    for function, (_calls, _prim, _own, _cum, callers) in raw.items():
        if (package := _package(function[0])) != "other":
            packages[package] = packages.get(package, 0.0) + raw[function][2]
            continue
        for caller, (_nc, _cc, own, _ct) in callers.items():
            owner = _owner(raw, caller)
            packages[owner] = packages.get(owner, 0.0) + own
    rows = sorted(
        (
            (own, cum, calls, f"{Path(f).name}:{line}({name})")
            for (f, line, name), (calls, _, own, cum, _) in raw.items()
        ),
        reverse=True,
    )
    print(f"profile of one parse+publish run, main thread, {total:.2f} s of own time, by package:")
    for package, own in sorted(packages.items(), key=lambda item: -item[1]):
        print(f"  {package:<12} {own / total:6.1%}")
    print("top functions (own time, cumulative time, calls):")
    for own, cum, calls, name in rows[:top]:
        print(f"  {own / total:6.1%} {cum / total:6.1%} {calls:>8}  {name}")
    return {
        "packages": {package: round(own / total, 4) for package, own in packages.items()},
        "top": [
            {
                "function": name,
                "own": round(own / total, 4),
                "cumulative": round(cum / total, 4),
                "calls": calls,
            }
            for own, cum, calls, name in rows[:top]
        ],
    }


_PACKAGES = ("feedparser", "kafka", "pydantic", "producers", "contracts", "benchmarks")


def _package(filename: str) -> str:
    return next((package for package in _PACKAGES if f"/{package}/" in filename), "other")


def _owner(raw: dict[Any, Any], function: Any, depth: int = 0) -> str:
    """The package of a function, else (stdlib, builtins) of its biggest caller, up to 20 calls up."""
    package = _package(function[0])
    callers = raw.get(function, (0, 0, 0, 0, {}))[4]
    if package != "other" or not callers or depth > 20:
        return package
    biggest = max(callers.items(), key=lambda item: item[1][3])[0]
    return _owner(raw, biggest, depth + 1)


def run_shape(
    settings: Settings, topics: Topics, feeds: Feeds, codecs: list[str], runs: int
) -> dict[str, Any]:
    measured = [one_run(settings, topics, feeds, codecs) for _ in range(runs)]
    keys = list(measured[0])
    return {
        "rss_bytes": sum(len(document) for _, document in feeds),
        "median_entries_per_cpu_s": {
            k: round(statistics.median(run[k][0] for run in measured)) for k in keys
        },
        "median_entries_per_wall_s": {
            k: round(statistics.median(run[k][1] for run in measured)) for k in keys
        },
        "runs_cpu": [{k: round(run[k][0]) for k in keys} for run in measured],
        "runs_wall": [{k: round(run[k][1]) for k in keys} for run in measured],
    }


def machine(cpu: int) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "pinned_cpu": cpu,
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "kafka_python": version("kafka-python"),
        "crc32c_c_extension": importlib.util.find_spec("crc32c") is not None,
        "feedparser": version("feedparser"),
        "pydantic_core": version("pydantic-core"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000, help="feed entries per run (default 5000)")
    parser.add_argument("--items-per-feed", type=int, default=50, help="items per RSS document (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="runs of every figure; medians are reported")
    parser.add_argument(
        "--compression", default="none,gzip,lz4,zstd", help="codecs to compare for publish (comma-separated)"
    )
    parser.add_argument("--shapes", default="summary,full", help="item shapes to measure: summary, full")
    parser.add_argument("--partitions", type=int, default=6, help="partitions of each benchmark topic")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the first allowed)")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile one parse+publish run, print the top N"
    )
    parser.add_argument(
        "--gc-threshold",
        type=int,
        default=None,
        metavar="N",
        help="freeze the start-up heap and set the garbage collector's generation-0 threshold to N "
        "(default: Python's own, 700): what tuning the producer process would give",
    )
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
    profile: dict[str, Any] | None = None
    load_before = machine(cpu)["load_average"]
    if args.gc_threshold is not None:
        gc.freeze()
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    try:
        for shape in (s.strip() for s in args.shapes.split(",") if s.strip()):
            feeds = build_feeds(rows, args.items_per_feed, full=shape == "full")
            results[shape] = run_shape(settings, topics, feeds, codecs, args.runs)
            cpu_rates = results[shape]["median_entries_per_cpu_s"]
            wall_rates = results[shape]["median_entries_per_wall_s"]
            publish = ", ".join(f"{codec} {cpu_rates[f'publish_{codec}']}" for codec in codecs)
            print(
                f"{shape:>7} items, entries per CPU-second (medians of {args.runs}): feedparser alone "
                f"{cpu_rates['feedparser']}; parse {cpu_rates['parse']}; publish {publish}; parse+publish "
                f"({settings.producers.compression} = {chosen or 'none'}) {cpu_rates['both']} "
                f"(wall {wall_rates['both']}/s), flushing every feed {cpu_rates['both_flush_per_feed']} "
                f"(wall {wall_rates['both_flush_per_feed']}/s)"
            )
            if args.profile and shape == "summary":
                profile = profile_both(settings, topics, feeds, args.profile)
    finally:
        topics.close()
    if "summary" in results:
        both = results["summary"]["median_entries_per_cpu_s"]["both"]
        print(
            f"target {TARGET:,.0f} entries/s on one core: {'met' if both >= TARGET else 'not met'} ({both:,})"
        )
    report = {
        "benchmark": "producers parse + publish, entries per CPU-second of the whole process (one core)",
        "command": "python -m benchmarks.producers " + " ".join(sys.argv[1:]),
        "corpus": f"SaudiNewsNet ({CORPUS.name}), first {len(rows)} articles",
        "entries": len(rows),
        "items_per_feed": args.items_per_feed,
        "runs": args.runs,
        "gc_thresholds": list(gc.get_threshold()),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "target_entries_per_s": TARGET,
        "producer": {
            "bootstrap_servers": settings.kafka.bootstrap,
            "compression": f"{settings.producers.compression} ({chosen or 'none'})",
            "linger_ms": settings.producers.linger_ms,
            "batch_bytes": settings.producers.batch_bytes,
            "acks": "all",
            "idempotence": True,
            "partitions": args.partitions,
        },
        "results": results,
        "profile": profile,
        "machine": {**machine(cpu), "load_average_before": load_before},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()

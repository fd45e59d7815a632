"""Local feed server → poller → the real local Kafka: keys, no duplicates across a restart, 304s, backoff and
dead letters. Fakes: none; the feed server is real HTTP on 127.0.0.1 and the topics are uuid-named.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kafka import KafkaConsumer, TopicPartition

from contracts.schemas import DeadLetter, RawArticle, decode
from contracts.settings import ProducerSettings, Settings
from infra.topics import client_config
from khabar.cli import cli
from producers.corpus import CorpusArticle
from producers.feedserver import FeedServer
from producers.feedsim import Faults, FeedCatalog, SimClock
from producers.fetch import Fetcher
from producers.politeness import Backoff, HostGate
from producers.poller import Poller
from producers.publish import Publisher
from producers.registry import load_registry
from producers.seen import SeenStore
from producers.urls import article_id, canonical_url

T0 = datetime(2015, 8, 8, 6, 0, tzinfo=UTC)
GOOD = ("sabq", "okaz", "alriyadh")
HOSTILE = ("aawsat", "almadina", "alyaum", "alwatan")


def consume_all(settings: Settings, topic: str) -> list[Any]:
    """Every message of ``topic``, read up to the end offsets at the time of the call."""
    consumer = KafkaConsumer(**client_config(settings.kafka, "test"), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        messages: list[Any] = []
        for _ in range(120):
            if all(consumer.position(tp) >= ends[tp] for tp in partitions):
                return messages
            for batch in consumer.poll(timeout_ms=500).values():
                messages.extend(batch)
        pytest.fail(f"could not read {topic} up to its end offsets {ends}")
    finally:
        consumer.close()


def corpus(outlets: tuple[str, ...]) -> list[CorpusArticle]:
    return [
        CorpusArticle(outlet, f"https://www.{outlet}.example/news/{n}", T0 + timedelta(minutes=10 * n),
                      f"خبر {n} من {outlet}", f"نص الخبر {n} عن الرياض.", "")
        for outlet in outlets
        for n in range(10)
    ]  # fmt: skip


def expected_ids(outlets: tuple[str, ...], until: datetime) -> set[str]:
    return {article_id(canonical_url(item.url), None) for item in corpus(outlets) if item.published <= until}


@pytest.fixture
def topics(topic_factory: Callable[..., str]) -> tuple[str, str]:
    return topic_factory("raw", partitions=3), topic_factory("deadletter")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    faults = Faults.parse(
        ["500:aawsat", "slow:almadina", "truncated:alyaum", "wrong-encoding:alwatan", "duplicate-guids:okaz"],
        slow_s=3.0,
    )
    clock = SimClock(T0 + timedelta(minutes=45), speed=0)
    catalog = FeedCatalog(corpus(GOOD + HOSTILE), window=20)
    with FeedServer(catalog, clock=clock, faults=faults) as running:
        yield running


async def poll_rounds(
    settings: Settings, registry_path: Path, seen_path: Path, topics: tuple[str, str], rounds: int = 1
) -> list[Any]:
    """A fresh producer (publisher, seen-store, fetcher, poller) doing ``rounds`` forced rounds."""
    feeds = load_registry(registry_path).feeds()
    conf = ProducerSettings(connect_timeout_s=1, read_timeout_s=1, politeness_delay_s=0)
    reports = []
    with (
        Publisher(settings, topic=topics[0], deadletter_topic=topics[1]) as publisher,
        SeenStore(seen_path) as seen,
    ):
        async with Fetcher(conf) as fetcher:
            poller = Poller(
                feeds, fetcher=fetcher, publisher=publisher, seen=seen,
                backoff=Backoff(base_s=60, max_s=600), gate=HostGate(per_host=2, delay_s=0),
                flush_timeout_s=60,
            )  # fmt: skip
            for _ in range(rounds):
                reports.append(await poller.poll_once(force=True))
    return reports


async def test_feed_server_to_kafka_without_duplicates_across_a_restart(
    stack: Settings, server: FeedServer, topics: tuple[str, str], tmp_path: Path
) -> None:
    registry = server.write_registry(tmp_path / "local.yaml")
    seen_path = tmp_path / "data" / "seen.sqlite3"

    (first, second) = await poll_rounds(stack, registry, seen_path, topics, rounds=2)
    assert first.published > 0
    assert second.published == 0
    # conditional GET round-trips: every healthy feed answered 304 the second time
    assert {r.outlet for r in second.feeds if r.outcome == "not_modified"} >= set(GOOD)

    server.clock.advance(timedelta(minutes=30))  # three more items per outlet appear
    (after_restart,) = await poll_rounds(stack, registry, seen_path, topics)  # new Publisher and SeenStore
    assert after_restart.count("not_modified") == 0

    raw = consume_all(stack, topics[0])
    keys = [message.key.decode() for message in raw]
    assert len(keys) == len(set(keys)), "an article was published twice"
    now = server.clock.now()
    assert expected_ids(GOOD, now) <= set(keys)
    assert expected_ids(("alwatan",), now) <= set(keys)  # wrong encoding: repaired, not lost
    articles = [decode(message.value, RawArticle) for message in raw]
    repaired = [a for a in articles if a.outlet == "alwatan"]
    assert repaired
    assert all(a.title.startswith("خبر ") for a in repaired)
    assert {a.outlet for a in articles}.isdisjoint({"aawsat", "almadina", "alyaum"})
    assert all(
        dict(message.headers)["outlet"].decode() == a.outlet for message, a in zip(raw, articles, strict=True)
    )


async def test_failing_feeds_back_off_and_hostile_markup_is_dead_lettered(
    stack: Settings, server: FeedServer, topics: tuple[str, str], tmp_path: Path
) -> None:
    registry = server.write_registry(tmp_path / "local.yaml")
    (report,) = await poll_rounds(stack, registry, tmp_path / "seen.sqlite3", topics)
    by = {r.outlet: r for r in report.feeds}
    assert by["aawsat"].outcome == "fetch_failed"
    assert "HTTP 500" in (by["aawsat"].error or "")
    assert by["almadina"].outcome == "fetch_failed"
    assert "timeout" in (by["almadina"].error or "")
    assert all(30 <= (by[o].retry_in_s or 0) <= 60 for o in ("aawsat", "almadina"))
    assert by["alyaum"].outcome == "unreadable"
    assert all(by[o].outcome == "published" for o in GOOD)  # the others carried on

    letters = [decode(message.value, DeadLetter) for message in consume_all(stack, topics[1])]
    by_source = {letter.reason.split("]", 1)[0].lstrip("["): letter for letter in letters}
    truncated = by_source[server.feed_url("alyaum")]
    assert truncated.stage == "parse"
    assert "malformed" in truncated.reason
    assert truncated.payload.startswith('<?xml version="1.0" encoding="utf-8"?>')
    encoding = by_source[server.feed_url("alwatan")]
    assert encoding.error_type == "WrongEncodingError"
    assert "windows-1256" in encoding.reason
    assert encoding.payload_encoding == "base64"  # the original (non-UTF-8) bytes, kept exactly


def test_khabar_produce_once_publishes_each_item_once_across_runs(
    stack: Settings, server: FeedServer, topics: tuple[str, str], tmp_path: Path
) -> None:
    registry = server.write_registry(tmp_path / "local.yaml")
    env = {
        "KHABAR_DATA_DIR": str(tmp_path / "data"),
        "KHABAR_PRODUCERS__CONNECT_TIMEOUT_S": "1",
        "KHABAR_PRODUCERS__READ_TIMEOUT_S": "1",
        "KHABAR_PRODUCERS__POLITENESS_DELAY_S": "0",
    }
    produce = ["produce", "--once", "--registry", str(registry), "--topic", topics[0],
               "--deadletter-topic", topics[1]]  # fmt: skip
    first = CliRunner().invoke(cli, produce, env=env)
    assert first.exit_code == 0, first.output
    assert f"{len(GOOD + HOSTILE)} feeds polled" in first.stdout
    again = CliRunner().invoke(cli, produce, env=env)  # a new process's worth of state: seen-store on disk
    assert again.exit_code == 0, again.output
    assert " 0 published" in again.stdout

    keys = [message.key.decode() for message in consume_all(stack, topics[0])]
    assert len(keys) == len(set(keys)), "an article was published twice"
    assert expected_ids(GOOD, server.clock.now()) <= set(keys)

    listed = CliRunner().invoke(cli, ["feeds", "list", "--registry", str(registry), "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    health = {row["outlet"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert all(health[o]["status"] == "ok" and health[o]["last_success"] for o in GOOD)
    assert health["aawsat"]["consecutive_failures"] == 2
    assert "HTTP 500" in health["aawsat"]["last_error"]

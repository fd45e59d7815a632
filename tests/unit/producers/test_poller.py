"""Unit tests for producers.poller with in-memory fakes of our own Publisher and SeenStore interfaces.

Feeds come from the local feed server over real HTTP (127.0.0.1), from the real BBC sample, and from
hypothesis-generated hostile XML.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from contracts.schemas import RawArticle
from contracts.settings import ProducerSettings
from producers.corpus import CorpusArticle
from producers.errors import PublishError
from producers.feedserver import FeedServer
from producers.feedsim import Faults, FeedCatalog, SimClock
from producers.fetch import Fetcher
from producers.health import load_health
from producers.metrics import ProducerMetrics
from producers.parse import parse_document
from producers.politeness import Backoff, HostGate
from producers.poller import Poller, entry_bytes
from producers.registry import FeedSpec

pytestmark = pytest.mark.unit

T0 = datetime(2015, 8, 8, 6, 0, tzinfo=UTC)
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR", Path(__file__).resolve().parents[3].parent / "shared"))
BBC = SHARED / "data" / "feeds" / "bbc_urdu_rss_2018-10-24_miniflux_testdata.xml"
OUTLETS = ("sabq", "okaz", "alriyadh")


@dataclass
class FakePublisher:
    """Records what would go to Kafka; ``fail_flush`` makes the next flushes raise like a down broker."""

    published: list[RawArticle] = field(default_factory=list)
    dead: list[dict[str, Any]] = field(default_factory=list)
    pending: list[RawArticle] = field(default_factory=list)
    fail_flush: bool = False

    def publish(self, article: RawArticle) -> None:
        self.pending.append(article)

    def dead_letter(self, **letter: Any) -> None:
        self.dead.append(letter)

    def flush(self, timeout_s: float | None = None) -> None:
        if self.fail_flush:
            self.pending.clear()
            raise PublishError("flush timed out: Kafka down")
        self.published.extend(self.pending)
        self.pending.clear()


@dataclass
class FakeSeen:
    marks: dict[str, dict[str, datetime]] = field(default_factory=dict)

    def filter_new(self, feed: str, ids: Iterable[str]) -> list[str]:
        known = self.marks.get(feed, {})
        return [i for i in dict.fromkeys(ids) if i not in known]

    def mark(self, feed: str, ids: Iterable[str], *, at: datetime) -> None:
        self.marks.setdefault(feed, {}).update(dict.fromkeys(ids, at))

    def prune(self, *, older_than: datetime) -> int:
        return 0


def corpus() -> list[CorpusArticle]:
    return [
        CorpusArticle(outlet, f"https://{outlet}.example/news/{n}?utm_source=rss",
                      T0 + timedelta(minutes=10 * n), f"خبر {n} من {outlet}", f"نص الخبر {n}.", "")
        for outlet in OUTLETS
        for n in range(8)
    ]  # fmt: skip


def specs(server: FeedServer) -> list[FeedSpec]:
    return [FeedSpec(o, server.feed_url(o), o, "SA", "ar", 60.0) for o in OUTLETS]


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(ProducerSettings(connect_timeout_s=1, read_timeout_s=0.5)) as client:
        yield client


def make_poller(
    feeds: list[FeedSpec], fetcher: Fetcher, publisher: FakePublisher, seen: FakeSeen, **extra: Any
) -> Poller:
    return Poller(
        feeds,
        fetcher=fetcher,
        publisher=publisher,
        seen=seen,
        backoff=Backoff(base_s=60, max_s=3600, random=lambda: 0.5),
        gate=HostGate(per_host=2, delay_s=0),
        **extra,
    )


def serve(*faults: str, slow_s: float = 2.0, minutes: int = 35) -> FeedServer:
    clock = SimClock(T0 + timedelta(minutes=minutes), speed=0)
    return FeedServer(FeedCatalog(corpus()), clock=clock, faults=Faults.parse(faults, slow_s=slow_s)).start()


async def test_round_publishes_new_items_then_304_then_only_new_ones(
    fetcher: Fetcher, tmp_path: Path
) -> None:
    publisher, seen = FakePublisher(), FakeSeen()
    registry = CollectorRegistry()
    with serve() as server:
        poller = make_poller(
            specs(server), fetcher, publisher, seen,
            health_path=tmp_path / "health.json", metrics=ProducerMetrics(registry),
        )  # fmt: skip
        first = await poller.poll_once()
        assert first.published == 12
        assert first.count("published") == 3
        assert {a.outlet for a in publisher.published} == set(OUTLETS)
        assert all("utm_source" not in a.canonical_url for a in publisher.published)
        second = await poller.poll_once(force=True)
        assert second.count("not_modified") == 3
        assert second.published == 0
        assert sum(server.not_modified.values()) == 3
        server.clock.advance(timedelta(minutes=20))
        third = await poller.poll_once(force=True)
    assert third.published == 6
    assert third.feeds[0].already_seen == 4
    assert len({a.id for a in publisher.published}) == len(publisher.published) == 18
    assert load_health(tmp_path / "health.json").get(server.feed_url("sabq")).items_total == 6
    assert registry.get_sample_value("khabar_producer_items_published_total", {"outlet": "sabq"}) == 6
    labels = {"feed": server.feed_url("okaz"), "outlet": "okaz", "outcome": "not_modified"}
    assert registry.get_sample_value("khabar_producer_fetches_total", labels) == 1


async def test_due_feeds_only_unless_forced(fetcher: Fetcher) -> None:
    with serve() as server:
        poller = make_poller(specs(server), fetcher, FakePublisher(), FakeSeen())
        await poller.poll_once()
        again = await poller.poll_once()
    assert again.feeds == []
    assert 1 <= poller.seconds_until_due() <= 60


async def test_failing_feeds_back_off_while_others_carry_on(fetcher: Fetcher) -> None:
    publisher = FakePublisher()
    registry = CollectorRegistry()
    with serve("500:okaz", "slow:alriyadh", slow_s=3.0) as server:
        poller = make_poller(specs(server), fetcher, publisher, FakeSeen(), metrics=ProducerMetrics(registry))
        report = await poller.poll_once()
        outcomes = {r.outlet: (r.outcome, r.retry_in_s) for r in report.feeds}
        assert outcomes["sabq"] == ("published", None)
        assert outcomes["okaz"] == ("fetch_failed", 45.0)  # base 60, jitter 0.5 -> 45
        assert outcomes["alriyadh"][0] == "fetch_failed"
        assert "timeout" in (report.feeds[2].error or "")
        server.clock.advance(timedelta(minutes=30))
        later = await poller.poll_once()  # nothing is due yet: sabq every 60 s, the others backing off
        assert later.feeds == []
        forced = await poller.poll_once(force=True)
    assert poller.health.get(server.feed_url("okaz")).consecutive_failures == 2
    assert next(r for r in forced.feeds if r.outlet == "okaz").retry_in_s == 90.0
    assert {a.outlet for a in publisher.published} == {"sabq"}

    # per-feed health, as the metrics endpoint shows it
    def gauge(name: str, outlet: str) -> float | None:
        return registry.get_sample_value(name, {"feed": server.feed_url(outlet), "outlet": outlet})

    assert gauge("khabar_feed_consecutive_failures", "okaz") == 2
    assert gauge("khabar_feed_consecutive_failures", "sabq") == 0
    assert gauge("khabar_feed_last_success_timestamp_seconds", "okaz") == 0  # never
    last_success = gauge("khabar_feed_last_success_timestamp_seconds", "sabq")
    assert last_success is not None
    assert abs(last_success - time.time()) < 60
    assert gauge("khabar_feed_items_per_day", "sabq") == len(publisher.published)
    assert gauge("khabar_feed_items_per_day", "okaz") == 0


async def test_retry_after_stretches_the_backoff() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "900"})

    feed = FeedSpec("x", "https://x.example/rss", "x", "SA", "ar", 60.0)
    async with Fetcher(ProducerSettings(), transport=httpx.MockTransport(handler)) as fetcher:
        report = await make_poller([feed], fetcher, FakePublisher(), FakeSeen()).poll_once()
    assert report.feeds[0].retry_in_s == 900.0


async def test_unreadable_and_hostile_feeds_go_to_the_dead_letter_topic(fetcher: Fetcher) -> None:
    publisher = FakePublisher()
    with serve("truncated:okaz", "broken-entries:alriyadh", "duplicate-guids:sabq") as server:
        poller = make_poller(specs(server), fetcher, publisher, FakeSeen())
        report = await poller.poll_once()
        again = await poller.poll_once(force=True)
    by = {r.outlet: r for r in report.feeds}
    assert by["okaz"].outcome == "unreadable"
    assert by["okaz"].retry_in_s == 45.0
    assert by["sabq"].published == 4
    assert by["sabq"].duplicates_in_feed == 4
    assert by["alriyadh"].published == 3
    assert by["alriyadh"].dead_lettered == 1
    truncated = [d for d in publisher.dead if d["source"] == server.feed_url("okaz")]
    assert len(truncated) == 1
    assert "malformed" in truncated[0]["reason"]
    assert truncated[0]["payload"].startswith(b"<?xml")
    assert truncated[0]["stage"] == "parse"
    broken = next(d for d in publisher.dead if d["source"] == server.feed_url("alriyadh"))
    assert broken["error_type"] == "EntryError"
    assert "no link and no guid" in broken["reason"]
    assert broken["payload"].startswith(b"<item>")
    assert broken["payload"].endswith(b"</item>")
    assert again.dead_lettered == 0  # the same bad bytes are dead-lettered once
    assert len(publisher.published) == 7


async def _poll_body(body: bytes, content_type: str) -> tuple[Any, FakePublisher]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": content_type, "ETag": '"e1"'})

    feed = FeedSpec("x", "https://x.example/rss", "x", "SA", "ar", 60.0)
    publisher = FakePublisher()
    async with Fetcher(ProducerSettings(), transport=httpx.MockTransport(handler)) as fetcher:
        report = await make_poller([feed], fetcher, publisher, FakeSeen()).poll_once()
    return report.feeds[0], publisher


async def test_an_empty_feed_with_only_an_encoding_complaint_is_a_feed_not_a_failure() -> None:
    empty = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>خبر</title></channel></rss>'
    )
    report, publisher = await _poll_body(empty.encode(), "text/html")
    assert (report.outcome, report.published, report.error) == ("published", 0, None)
    assert publisher.dead == []


async def test_entries_never_closed_are_one_dead_letter_found_in_one_pass() -> None:
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>'
    report, publisher = await _poll_body(head + b"<item><title>x</title>" * 2000, "application/rss+xml")
    assert report.outcome == "unreadable"
    [letter] = publisher.dead
    assert letter["reason"].startswith("2000 entries that cannot be cut out of the document: entry 0 ")
    assert letter["reason"].count("; entry ") == 19  # twenty named, then …


async def test_wrong_declared_encoding_is_repaired_and_reported(fetcher: Fetcher) -> None:
    publisher = FakePublisher()
    with serve("wrong-encoding:sabq") as server:
        report = await make_poller(specs(server)[:1], fetcher, publisher, FakeSeen()).poll_once()
    assert report.feeds[0].published == 4
    assert publisher.published[0].title == "خبر 3 من sabq"
    assert len(publisher.dead) == 1
    assert publisher.dead[0]["error_type"] == "WrongEncodingError"
    assert "windows-1256" in publisher.dead[0]["reason"]


async def test_nothing_is_marked_seen_when_delivery_fails(fetcher: Fetcher) -> None:
    publisher, seen = FakePublisher(fail_flush=True), FakeSeen()
    with serve() as server:
        poller = make_poller(specs(server)[:1], fetcher, publisher, seen)
        report = await poller.poll_once()
        assert report.feeds[0].outcome == "deferred"
        assert seen.marks == {}
        health = poller.health.get(server.feed_url("sabq"))
        assert health.etag is None
        assert health.consecutive_failures == 0
        publisher.fail_flush = False
        retry = await poller.poll_once(force=True)
    assert retry.feeds[0].outcome == "published"
    assert retry.published == 4
    assert len(seen.marks[server.feed_url("sabq")]) == 4


def test_real_bbc_feed_through_the_poller_path() -> None:
    if not BBC.exists():
        pytest.skip(f"the BBC feed sample is absent ({BBC}); see ../shared/README.md")
    body = BBC.read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/rss+xml"})

    async def run() -> tuple[FakePublisher, Any]:
        publisher = FakePublisher()
        feed = FeedSpec("bbc-urdu", "https://feeds.bbci.co.uk/urdu/rss.xml", "BBC", "GB", "ur", 300.0)
        async with Fetcher(ProducerSettings(), transport=httpx.MockTransport(handler)) as fetcher:
            report = await make_poller([feed], fetcher, publisher, FakeSeen()).poll_once()
        return publisher, report

    publisher, report = asyncio.run(run())
    assert report.feeds[0].outcome == "published"
    assert report.published == 26
    assert not publisher.dead
    first = publisher.published[0]
    assert first.outlet == "bbc-urdu"
    assert first.language_hint == "ur"
    assert first.published_status == "ok"
    assert "at_" not in first.canonical_url
    assert first.title
    assert "\u200f" not in first.title


FUZZ_URL = "https://fuzz.example/rss"


def _fuzz_fetcher(body: bytes) -> Fetcher:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    return Fetcher(ProducerSettings(), transport=httpx.MockTransport(handler))


TEXT = st.text(alphabet=st.sampled_from(list("خبرعاجل <>&;/\"'=]![CDATA\u200f\u202e\x00ab1é")), max_size=40)
ELEMENT = st.builds(
    lambda tag, text, closed: f"<{tag}>{text}</{tag}>" if closed else f"<{tag}>{text}",
    st.sampled_from(["title", "link", "guid", "pubDate", "description", "item", "entry", "channel", "id"]),
    TEXT,
    st.booleans(),
)
DOCUMENT = st.builds(
    lambda head, parts, encoding, cut: (head + "".join(parts)).encode(encoding, errors="replace")[:cut],
    st.sampled_from(['<?xml version="1.0"?><rss version="2.0"><channel>', '<feed xmlns="http://www.w3.org/2005/Atom">',
                     '<?xml version="1.0" encoding="windows-1256"?><rss>', "\ufeff<rss><channel><item>", ""]),
    st.lists(ELEMENT, max_size=12),
    st.sampled_from(["utf-8", "windows-1256", "iso-8859-6", "utf-16"]),
    st.integers(min_value=0, max_value=5000),
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=DOCUMENT)
def test_hostile_xml_never_crashes_and_nothing_is_lost(body: bytes) -> None:
    async def run() -> tuple[FakePublisher, Any]:
        publisher = FakePublisher()
        feed = FeedSpec("fuzz", FUZZ_URL, "fuzz", "SA", "ar", 60.0)
        async with _fuzz_fetcher(body) as fetcher:
            report = await make_poller([feed], fetcher, publisher, FakeSeen()).poll_once()
        return publisher, report

    publisher, report = asyncio.run(run())
    (feed,) = report.feeds
    assert feed.outcome in ("published", "unreadable")
    assert "internal error" not in (feed.error or "")
    if feed.outcome == "unreadable":  # nothing usable: the document (or its bad entries) is dead-lettered
        assert feed.error
        assert feed.retry_in_s == 45.0
        assert publisher.published == []
        assert publisher.dead
        assert all(d["reason"] and d["payload"] in body for d in publisher.dead)  # original bytes
        assert feed.dead_lettered == len(publisher.dead)
        return
    # every entry is published, a repeat of a published id, or rejected; every distinct rejected entry (and
    # a wrongly declared charset) is dead-lettered with its reason
    parsed, problem = parse_document(body, feed_url=FUZZ_URL, outlet="fuzz", fetched_at=datetime.now(UTC))
    assert len(publisher.published) == feed.published
    assert feed.published + feed.duplicates_in_feed + len(parsed.errors) == feed.entries
    letters = [d for d in publisher.dead if d["error_type"] == "EntryError"]
    wanted = {entry_bytes(body, e.index) or body for e in parsed.errors}
    assert {d["payload"] for d in letters} == wanted
    assert all(d["reason"] for d in publisher.dead)
    assert len(publisher.dead) - len(letters) == (1 if problem else 0)
    assert feed.dead_lettered == len(publisher.dead)


def _huge_feed(entries: int, words: int) -> bytes:
    paragraph = " ".join(["خبر عاجل عن الرياض"] * (words // 4))
    items = "".join(
        f"<item><title>عنوان {n}</title><link>https://huge.example/news/{n}</link>"
        f"<pubDate>Sat, 08 Aug 2015 09:00:00 +0000</pubDate>"
        f"<description><![CDATA[<p>{paragraph}</p><p>{paragraph}</p>]]></description></item>"
        for n in range(entries)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    )


@pytest.mark.parametrize(
    ("entries", "words"), [(1, 200_000), (2_000, 40)], ids=["one-huge-entry", "two-thousand-entries"]
)
def test_huge_entries_and_long_feeds_are_published_whole(entries: int, words: int) -> None:
    body = _huge_feed(entries, words)

    async def run() -> tuple[FakePublisher, Any]:
        publisher = FakePublisher()
        feed = FeedSpec("huge", "https://huge.example/rss", "huge", "SA", "ar", 60.0)
        async with _fuzz_fetcher(body) as fetcher:
            report = await make_poller([feed], fetcher, publisher, FakeSeen()).poll_once()
        return publisher, report

    publisher, report = asyncio.run(run())
    (feed,) = report.feeds
    assert (feed.outcome, feed.entries, feed.published, feed.dead_lettered) == (
        "published",
        entries,
        entries,
        0,
    )
    assert len({a.id for a in publisher.published}) == entries
    article = publisher.published[0]
    assert article.summary is not None
    paragraphs = article.summary.split("\n\n")  # the two paragraphs are kept, whole
    assert len(paragraphs) == 2
    assert all(len(p.split()) == 4 * (words // 4) for p in paragraphs)

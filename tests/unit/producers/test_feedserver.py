"""Unit tests for producers.feedsim and producers.feedserver: simulated feeds over real local HTTP."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from producers.corpus import CorpusArticle
from producers.feedserver import FeedServer
from producers.feedsim import Faults, FeedCatalog, SimClock, render_feed
from producers.parse import parse_feed
from producers.registry import load_registry

pytestmark = pytest.mark.unit

T0 = datetime(2015, 8, 8, 6, 0, tzinfo=UTC)


def corpus() -> list[CorpusArticle]:
    return [
        CorpusArticle(outlet, f"https://{outlet}.example/news/{n}", T0 + timedelta(minutes=10 * n),
                      f"خبر رقم {n} من {outlet}", f"نص الخبر {n}.\n\nفقرة ثانية.", "محرر")
        for outlet in ("sabq", "okaz")
        for n in range(6)
    ]  # fmt: skip


class Ticker:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def server() -> Iterator[FeedServer]:
    clock = SimClock(T0 + timedelta(minutes=15), speed=0, monotonic=Ticker())
    with FeedServer(
        FeedCatalog(corpus(), window=3), clock=clock, atom_outlets=frozenset({"okaz"})
    ) as running:
        yield running


def test_catalog_shows_the_newest_window_published_by_now() -> None:
    catalog = FeedCatalog(corpus(), window=3)
    assert catalog.outlets == ["okaz", "sabq"]
    assert catalog.visible("sabq", now=T0 - timedelta(seconds=1)) == []
    assert [i.link[-1] for i in catalog.visible("sabq", now=T0 + timedelta(minutes=20))] == ["2", "1", "0"]
    assert [i.link[-1] for i in catalog.visible("sabq", now=T0 + timedelta(hours=5))] == ["5", "4", "3"]
    assert catalog.first_published() == T0


def test_sim_clock_runs_at_speed_and_advances() -> None:
    ticks = Ticker()
    clock = SimClock(T0, speed=60, monotonic=ticks)
    ticks.t = 2.0
    assert clock.now() == T0 + timedelta(minutes=2)
    clock.advance(timedelta(hours=1))
    assert clock.now() == T0 + timedelta(hours=1, minutes=2)
    with pytest.raises(ValueError, match="timezone"):
        SimClock(datetime(2015, 1, 1))


def test_faults_parse_per_outlet_and_reject_unknown_kinds() -> None:
    faults = Faults.parse(["500:okaz,Al Madina", "rtl-marks"])
    assert faults.for_outlet("okaz") == {"500", "rtl-marks"}
    assert faults.for_outlet("al-madina") == {"500", "rtl-marks"}
    assert faults.for_outlet("sabq") == {"rtl-marks"}
    with pytest.raises(ValueError, match="unknown fault 'boom'"):
        Faults.parse(["boom"])


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_rendered_feeds_parse_into_the_corpus_articles(fmt: str) -> None:
    catalog = FeedCatalog(corpus(), window=10)
    items = catalog.visible("sabq", now=T0 + timedelta(hours=1))
    data = render_feed("sabq", items, base_url="http://h", now=T0, fmt=fmt)  # type: ignore[arg-type]
    result = parse_feed(
        data, feed_url="http://h/feeds/sabq.xml", outlet="sabq", fetched_at=T0 + timedelta(hours=1)
    )
    assert not result.errors
    assert result.bozo is None
    assert [a.url for a in result.articles] == [i.link for i in items]
    assert result.articles[0].title == "خبر رقم 5 من sabq"
    assert result.articles[0].published == T0 + timedelta(minutes=50)
    assert result.articles[0].author == "محرر"


def parsed_with(*faults: str):  # type: ignore[no-untyped-def]
    items = FeedCatalog(corpus(), window=6).visible("sabq", now=T0 + timedelta(hours=1))
    data = render_feed("sabq", items, base_url="http://h", now=T0, faults=frozenset(faults))
    return data, parse_feed(
        data, feed_url="http://h/f.xml", outlet="sabq", fetched_at=T0 + timedelta(hours=2)
    )


def test_content_faults() -> None:
    _, dup = parsed_with("duplicate-guids")
    assert len(dup.articles) == 12
    assert len({a.id for a in dup.articles}) == 6
    _, undated = parsed_with("missing-dates")
    assert {a.published_status for a in undated.articles} == {"missing"}
    _, html = parsed_with("html-titles", "rtl-marks")
    assert all("<b>" not in a.title and "\u200f" not in a.title for a in html.articles)
    assert html.articles[0].title.startswith("خبر رقم 5")
    _, broken = parsed_with("broken-entries")
    assert len(broken.articles) == 4
    assert [e.index for e in broken.errors] == [2, 5]


def test_encoding_and_truncation_faults() -> None:
    data, wrong = parsed_with("wrong-encoding")
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert wrong.bozo is not None
    assert "CharacterEncodingOverride" in wrong.bozo
    data, truncated = parsed_with("truncated")
    assert not truncated.articles
    assert truncated.bozo is not None
    assert data.count(b"<item>") == 1


def test_server_serves_rss_and_atom_with_validators(server: FeedServer) -> None:
    with httpx.Client() as client:
        rss = client.get(server.feed_url("sabq"))
        atom = client.get(server.feed_url("okaz"))
        index = client.get(server.base_url + "/")
        missing = client.get(server.base_url + "/feeds/nope.xml")
    assert rss.status_code == 200
    assert rss.headers["content-type"].startswith("application/rss+xml")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert b"<feed" in atom.content
    assert rss.headers["etag"]
    assert rss.headers["last-modified"] == "Sat, 08 Aug 2015 06:10:00 GMT"
    assert rss.headers.get("content-encoding") == "gzip"  # httpx asks for gzip and decodes it
    assert rss.content.count(b"<item>") == 2
    assert "sabq\thttp://" in index.text
    assert missing.status_code == 404


def test_server_answers_conditional_gets_with_304(server: FeedServer) -> None:
    with httpx.Client() as client:
        first = client.get(server.feed_url("sabq"))
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        by_etag = client.get(server.feed_url("sabq"), headers={"If-None-Match": etag})
        by_date = client.get(server.feed_url("sabq"), headers={"If-Modified-Since": modified})
        stale = client.get(server.feed_url("sabq"), headers={"If-None-Match": '"other"'})
        server.clock.advance(timedelta(minutes=20))  # a new item appears
        changed = client.get(server.feed_url("sabq"), headers={"If-None-Match": etag})
    assert (by_etag.status_code, by_date.status_code, stale.status_code) == (304, 304, 200)
    assert by_etag.content == b""
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert server.not_modified["sabq"] == 2
    assert server.requests["sabq"] == 3


def test_server_plain_body_without_gzip(server: FeedServer) -> None:
    with httpx.Client(headers={"Accept-Encoding": "identity"}) as client:
        plain = client.get(server.feed_url("sabq"))
    assert "content-encoding" not in plain.headers
    assert plain.content.startswith(b"<?xml")
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


def test_server_injects_500_and_slow_answers() -> None:
    clock = SimClock(T0 + timedelta(hours=1), speed=0)
    faults = Faults.parse(["500:okaz", "slow:sabq"], slow_s=3.0)
    with FeedServer(FeedCatalog(corpus()), clock=clock, faults=faults) as server, httpx.Client() as client:
        assert client.get(server.feed_url("okaz")).status_code == 500
        with pytest.raises(httpx.ReadTimeout):
            client.get(server.feed_url("sabq"), timeout=httpx.Timeout(5.0, read=0.3))


def test_written_registry_points_at_the_server(server: FeedServer, tmp_path: Path) -> None:
    registry = load_registry(server.write_registry(tmp_path / "local.yaml", interval_s=60))
    assert [(f.outlet, f.url) for f in registry.feeds()] == [
        ("okaz", server.feed_url("okaz")),
        ("sabq", server.feed_url("sabq")),
    ]

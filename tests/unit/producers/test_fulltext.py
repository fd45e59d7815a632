"""Unit tests for producers.fulltext through the poller: feed and article pages from an httpx MockTransport.

The article pages are the real Arabic pages in ../shared/data/feeds/; the publisher and seen-store are small
in-memory fakes of the poller's own protocols.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
from prometheus_client import CollectorRegistry

from contracts.schemas import RawArticle
from contracts.settings import ProducerSettings
from producers.extract import Extracted
from producers.fetch import Fetcher
from producers.fulltext import Extract, FullText
from producers.politeness import Backoff, HostGate
from producers.poller import Poller, RoundReport
from producers.registry import FeedSpec
from tests.conftest import shared_dir

pytestmark = pytest.mark.unit

FEED_URL = "https://feeds.example/arabic/rss.xml"
CNN = shared_dir() / "data" / "feeds" / "newspaper4k_arabic_article.html"
CNN_URL = "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html"
ASSABAH = shared_dir() / "data" / "feeds" / "trafilatura_assabah.com.tn.article.html"
# The feed's summary: the page's og:description, as a summary-only feed would give it.
SUMMARY = (
    "أكدت جهات سورية معارضة أن فصائل مسلحة معارضة لنظام الرئيس بشار الأسد تمكنت من السيطرة على مستودعات "
    "للأسلحة بريف دمشق."
)
IN_BODY = "وقال المرصد السوري لحقوق الإنسان، وهو هيئة معارضة مقرها لندن"
HTML = "text/html; charset=UTF-8"


@dataclass(frozen=True)
class Item:
    link: str
    title: str = "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"
    summary: str = SUMMARY
    content: str = ""


@dataclass
class Site:
    """The feed and the pages it links to; records every request."""

    items: list[Item]
    pages: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        if url == FEED_URL:
            return httpx.Response(
                200, content=rss(self.items), headers={"Content-Type": "application/rss+xml"}
            )
        status, content_type, body = self.pages.get(url, (404, "text/html", b"<html>not found</html>"))
        return httpx.Response(status, content=body, headers={"Content-Type": content_type})

    def page_requests(self) -> list[str]:
        return [str(r.url) for r in self.requests if str(r.url) != FEED_URL]


def rss(items: Iterable[Item]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        f"<description>{escape(i.summary)}</description>"
        + (f"<content:encoded><![CDATA[{i.content}]]></content:encoded>" if i.content else "")
        + "<pubDate>Sat, 03 Aug 2013 10:00:00 GMT</pubDate></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>CNN بالعربية</title>'
        f"<link>http://arabic.cnn.com/</link><description>أخبار</description>{entries}</channel></rss>"
    ).encode()


@dataclass
class FakePublisher:
    published: list[RawArticle] = field(default_factory=list)
    dead: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, article: RawArticle) -> None:
        self.published.append(article)

    def dead_letter(self, **letter: Any) -> None:
        self.dead.append(letter)

    def flush(self, timeout_s: float | None = None) -> None:
        return None


@dataclass
class FakeSeen:
    marks: dict[str, set[str]] = field(default_factory=dict)

    def filter_new(self, feed: str, ids: Iterable[str]) -> list[str]:
        return [i for i in dict.fromkeys(ids) if i not in self.marks.get(feed, set())]

    def mark(self, feed: str, ids: Iterable[str], *, at: datetime) -> None:
        self.marks.setdefault(feed, set()).update(ids)

    def prune(self, *, older_than: datetime) -> int:
        return 0


@dataclass
class Rig:
    site: Site
    publisher: FakePublisher
    registry: CollectorRegistry
    poller: Poller

    async def poll(self) -> RoundReport:
        return await self.poller.poll_once(force=True)

    def outcome(self, outcome: str) -> float:
        labels = {"outlet": "cnn-arabic", "outcome": outcome}
        return self.registry.get_sample_value("khabar_producer_full_text_total", labels) or 0.0


def page(path: str = str(CNN)) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        pytest.skip(f"real article page {path} is absent (set KHABAR_SHARED_DIR to the shared data)")


_open: list[Fetcher] = []


@pytest.fixture(autouse=True)
async def close_fetchers() -> AsyncIterator[None]:
    yield
    while _open:
        await _open.pop().aclose()


def rig(
    site: Site,
    *,
    gate: HostGate | None = None,
    extract: Extract | None = None,
    **settings: Any,
) -> Rig:
    conf = ProducerSettings(**{"full_text": True, **settings})
    fetcher = Fetcher(conf, transport=httpx.MockTransport(site.handle))
    _open.append(fetcher)
    gate = gate or HostGate(per_host=2, delay_s=0)
    registry = CollectorRegistry()
    extra: dict[str, Any] = {} if extract is None else {"extract": extract}
    full_text = FullText(conf, fetcher=fetcher, gate=gate, registry=registry, **extra)
    publisher = FakePublisher()
    poller = Poller(
        [FeedSpec("cnn-arabic", FEED_URL, "CNN بالعربية", "AE", "ar", 300.0)],
        fetcher=fetcher,
        publisher=publisher,
        seen=FakeSeen(),
        backoff=Backoff(base_s=60, max_s=3600, random=lambda: 0.5),
        gate=gate,
        full_text=full_text,
    )
    return Rig(site, publisher, registry, poller)


async def test_flag_on_publishes_the_extracted_article_text() -> None:
    site = Site([Item(CNN_URL)], {CNN_URL: (200, HTML, page())})
    test = rig(site)
    report = await test.poll()
    assert report.published == 1
    (article,) = test.publisher.published
    assert IN_BODY in article.content
    assert article.content.startswith("دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة")
    assert "\n\n" in article.content
    assert "الأكثر تصفحاً" not in article.content
    assert article.summary == SUMMARY  # the feed's own text is kept beside it
    assert site.page_requests() == [CNN_URL]
    assert "khabar" in site.requests[-1].headers["User-Agent"]
    assert test.outcome("extracted") == 1


async def test_flag_off_fetches_no_page() -> None:
    site = Site([Item(CNN_URL)], {CNN_URL: (200, HTML, page())})
    assert ProducerSettings().full_text is False  # off unless asked for (KHABAR_PRODUCERS__FULL_TEXT)
    test = rig(site, full_text=ProducerSettings().full_text)
    report = await test.poll()
    assert report.published == 1
    assert test.publisher.published[0].content == ""
    assert site.page_requests() == []
    assert [str(r.url) for r in site.requests] == [FEED_URL]


@pytest.mark.parametrize(
    ("status", "content_type", "body", "outcome"),
    [
        (500, HTML, b"<html>Internal Server Error</html>", "fetch_failed"),
        (200, "image/jpeg", b"\xff\xd8\xff\xe0JFIF", "not_html"),
        (200, HTML, "<html><body><nav>الرئيسية</nav></body></html>".encode(), "no_article"),
    ],
    ids=["500", "not-html", "no-article"],
)
async def test_a_failed_page_still_publishes_the_entry_with_the_feed_text(
    status: int, content_type: str, body: bytes, outcome: str
) -> None:
    site = Site([Item(CNN_URL)], {CNN_URL: (status, content_type, body)})
    test = rig(site)
    report = await test.poll()
    assert report.published == 1
    assert report.feeds[0].outcome == "published"
    (article,) = test.publisher.published
    assert article.content == ""
    assert article.summary == SUMMARY
    assert site.page_requests() == [CNN_URL]
    assert test.outcome(outcome) == 1
    assert test.outcome("extracted") == 0


def failing(html: bytes | str, *, url: str, charset: str | None = None) -> Extracted | None:
    raise ValueError(f"parser bug on {url}")


def too_short(html: bytes | str, *, url: str, charset: str | None = None) -> Extracted | None:
    return Extracted(text="نص أقصر من ملخص الخلاصة")


@pytest.mark.parametrize(
    ("extract", "outcome"), [(failing, "extract_failed"), (too_short, "not_longer")], ids=["crash", "shorter"]
)
async def test_extraction_crash_or_shorter_text_keeps_the_feed_text(
    extract: Callable[..., Extracted | None], outcome: str
) -> None:
    site = Site([Item(CNN_URL)], {CNN_URL: (200, HTML, page())})
    test = rig(site, extract=extract)
    assert (await test.poll()).published == 1
    assert test.publisher.published[0].content == ""
    assert test.outcome(outcome) == 1


async def test_only_new_and_short_entries_are_fetched() -> None:
    long_content = "<p>" + "نص كامل للخبر منشور في الخلاصة نفسها. " * 30 + "</p>"
    other = "http://arabic.cnn.com/2013/world/8/3/other/index.html"
    site = Site(
        [Item(CNN_URL), Item(other, title="خبر آخر", content=long_content), Item(CNN_URL)],  # CNN_URL twice
        {CNN_URL: (200, HTML, page()), other: (200, HTML, page())},
    )
    test = rig(site)
    first = await test.poll()
    assert first.published == 2
    assert site.page_requests() == [CNN_URL]  # once, and not for the entry with full content
    second = await test.poll()
    assert second.published == 0
    assert second.feeds[0].already_seen == 2
    assert site.page_requests() == [CNN_URL]  # seen entries are not fetched again


async def test_pages_per_host_are_capped_per_round() -> None:
    links = [f"http://www.assabah.com.tn/article/{n}" for n in range(5)]
    body = page(str(ASSABAH))
    site = Site([Item(link, title=f"حوار {n}") for n, link in enumerate(links[:3])])
    site.pages = {link: (200, HTML, body) for link in links}
    test = rig(site, full_text_max_per_host=2)
    assert (await test.poll()).published == 3
    assert site.page_requests() == links[:2]
    contents = [article.content for article in test.publisher.published]
    assert all("نحن في السودان لا نعرف من الفصول غير الصيف والشتاء" in text for text in contents[:2])
    assert contents[2] == ""
    assert test.outcome("over_cap") == 1
    site.items = [Item(link, title=f"حوار {n}") for n, link in enumerate(links)]
    assert (await test.poll()).published == 2
    assert site.page_requests() == links[:2] + links[3:]  # a new round, a new budget


async def test_page_fetches_go_through_the_host_gate_with_its_politeness_delay() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    links = [f"http://arabic.cnn.com/2013/middle_east/8/3/story-{n}/index.html" for n in range(2)]
    site = Site([Item(link, title=f"خبر {n}") for n, link in enumerate(links)])
    site.pages = {link: (200, HTML, page()) for link in links}
    gate = HostGate(per_host=1, delay_s=7.0, clock=lambda: 100.0, sleep=sleep)
    test = rig(site, gate=gate)
    assert (await test.poll()).published == 2
    assert sorted(site.page_requests()) == links
    assert slept == [7.0]  # feeds.example once, arabic.cnn.com twice: the second page waited
    assert all(IN_BODY in article.content for article in test.publisher.published)

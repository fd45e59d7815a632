"""Unit tests for producers.parse: feed bytes (any declared charset) to RawArticle records and errors."""

from __future__ import annotations

import html
import os
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin

import pytest
from feedparser.datetimes.rfc822 import _parse_date_rfc822
from feedparser.datetimes.w3dtf import _parse_date_w3dtf
from hypothesis import example, given
from hypothesis import strategies as st

import producers.parse
from contracts.schemas import RawArticle, decode, encode
from producers.errors import FeedParseError, ProducerError
from producers.parse import EntryError, ParseResult, parse_feed
from producers.urls import article_id, canonical_url

pytestmark = pytest.mark.unit

FEED_URL = "https://example.net/rss/ar.xml"
FETCHED = datetime(2024, 9, 2, 12, 0, tzinfo=UTC)
TITLE = "وزير الخارجية يزور دمشق"
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR", Path(__file__).resolve().parents[3].parent / "shared"))
BBC_URDU = SHARED / "data" / "feeds" / "bbc_urdu_rss_2018-10-24_miniflux_testdata.xml"


def rss(items: str, *, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (
        f'{declaration}\n<rss version="2.0"><channel><title>أخبار</title><link>https://example.net/</link>'
        f"<language>ar</language>\n{items}\n</channel></rss>"
    )


def item(title: str = TITLE, link: str = "https://example.net/news/1", **extra: str) -> str:
    parts = [f"<title>{title}</title>" if title else "", f"<link>{link}</link>" if link else ""]
    parts += [f"<{tag}>{value}</{tag}>" for tag, value in extra.items()]
    return "<item>" + "".join(parts) + "</item>"


def parse(
    data: bytes,
    headers: dict[str, str] | None = None,
    *,
    language_hint: str | None = None,
    now: datetime | None = None,
) -> ParseResult:
    return parse_feed(
        data,
        feed_url=FEED_URL,
        outlet="example",
        headers=headers,
        fetched_at=FETCHED,
        language_hint=language_hint,
        now=now,
    )


# ------------------------------------------------------------------------------------------ real feed


@pytest.fixture(scope="module")
def bbc_urdu() -> bytes:
    if not BBC_URDU.is_file():
        pytest.skip(f"real feed not found at {BBC_URDU} (set KHABAR_SHARED_DIR to the shared data directory)")
    return BBC_URDU.read_bytes()


def test_real_bbc_urdu_feed(bbc_urdu: bytes) -> None:
    result = parse_feed(
        bbc_urdu,
        feed_url="http://www.bbc.com/urdu/index.xml",
        outlet="bbc-urdu",
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
        fetched_at=datetime(2018, 10, 24, 7, 30, tzinfo=UTC),
    )
    assert (len(result.articles), result.errors, result.bozo, result.encoding) == (26, [], None, "utf-8")
    first = result.articles[0]
    assert first.title.startswith("امریکی عسکری امداد کی بندش کی وجوہات")
    assert first.url == first.guid == "http://www.bbc.com/urdu/pakistan-42575603"
    assert first.canonical_url == "http://www.bbc.com/urdu/pakistan-42575603"
    assert first.id == article_id(first.canonical_url, None)
    assert first.published == datetime(2018, 1, 5, 16, 51, tzinfo=UTC)
    assert first.summary.startswith("امریکہ اور پاکستان کے 70 سالہ تعلقات")
    assert len({a.id for a in result.articles}) == 26
    for article in result.articles:
        assert article.title
        assert "\n" not in article.title
        assert (article.published_status, article.language_hint, article.outlet) == ("ok", "ur", "bbc-urdu")
        assert decode(encode(article), RawArticle) == article


# ------------------------------------------------------------------------------------------ encodings


def test_windows_1256_declared_only_in_the_xml_declaration() -> None:
    data = rss(item(), declaration='<?xml version="1.0" encoding="windows-1256"?>').encode("cp1256")
    result = parse(data)
    assert [a.title for a in result.articles] == [TITLE]
    assert (result.encoding, result.bozo) == ("windows-1256", None)


def test_windows_1256_under_text_xml_without_charset_is_read_with_a_complaint() -> None:
    # RFC 3023: text/xml without charset is us-ascii; feedparser falls back to the declaration, and says so.
    data = rss(item(), declaration='<?xml version="1.0" encoding="windows-1256"?>').encode("cp1256")
    result = parse(data, {"Content-Type": "text/xml"})
    assert [a.title for a in result.articles] == [TITLE]
    assert result.bozo is not None
    assert "CharacterEncodingOverride" in result.bozo


def test_iso_8859_6_declared_only_in_the_http_header() -> None:
    data = rss(item(), declaration='<?xml version="1.0"?>').encode("iso-8859-6")
    result = parse(data, {"Content-Type": "application/rss+xml; charset=ISO-8859-6"})
    assert [a.title for a in result.articles] == [TITLE]
    assert (result.encoding, result.bozo) == ("ISO-8859-6", None)


def test_utf8_bom_atom_feed_without_declared_encoding() -> None:
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>أخبار</title>'
        f'<entry><title>{TITLE}</title><id>tag:example.net,2024:1</id><link href="/news/1"/>'
        "<updated>2024-09-02T10:00:00+03:00</updated><author><name>سارة</name></author>"
        '<content type="html">&lt;p&gt;فقرة&lt;/p&gt;&lt;p&gt;ثانية&lt;/p&gt;</content></entry></feed>'
    )
    result = parse(b"\xef\xbb\xbf" + atom.encode("utf-8"))
    (article,) = result.articles
    assert (result.encoding, result.bozo) == ("utf-8", None)
    assert (article.title, article.author, article.guid) == (TITLE, "سارة", "tag:example.net,2024:1")
    assert article.url == "https://example.net/news/1"  # resolved against the feed URL
    assert article.content == "فقرة\n\nثانية"
    assert (article.published, article.published_status) == (datetime(2024, 9, 2, 7, 0, tzinfo=UTC), "ok")


# ------------------------------------------------------------------------------------------ malformed feeds


def test_truncated_feed_yields_what_it_can_with_bozo() -> None:
    data = rss(item(pubDate="Mon, 02 Sep 2024 10:00:00 +0300") + item("ثاني", "https://example.net/news/2"))
    result = parse(data.encode()[: data.encode().index(b"news/2") - 10])
    assert result.bozo is not None
    assert "SAXParseException" in result.bozo
    assert result.articles[0].title == TITLE
    assert result.articles[0].published == datetime(2024, 9, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty document"),
        (b"   \n", "empty document"),
        (b"not xml at all", "malformed"),
        (b'<?xml version="1.0"?><rss version="2.0"><chan', "malformed"),
        (b"<html><body><p>503 Service Unavailable</p></body></html>", "not an RSS or Atom feed"),
        # feedparser's own loose parser raises KeyError('links') on this one.
        (b'<rss version="2.0"><channel><item><title>x</title><link></item></link>', "feedparser failed"),
    ],
)
def test_unreadable_feed_raises_naming_the_feed(data: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError, match=reason) as info:
        parse(data)
    assert FEED_URL in str(info.value)
    assert isinstance(info.value, ProducerError)


def test_empty_valid_feed_is_not_an_error_even_with_an_encoding_complaint() -> None:
    assert parse(rss("").encode()) == ParseResult(articles=[], errors=[], bozo=None, encoding="utf-8")
    result = parse(rss("").encode(), {"content-type": "text/xml"})
    assert (result.articles, result.errors) == ([], [])
    assert result.bozo is not None


def test_bytes_are_never_taken_for_a_file_name(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(rss(item()), encoding="utf-8")
    with pytest.raises(FeedParseError):
        parse(str(path).encode())


# ------------------------------------------------------------------------------------------ entries


def test_html_and_bidi_marks_are_cleaned_from_title_and_summary() -> None:
    title = "&lt;b&gt;\u200fعاجل&lt;/b&gt;:&amp;rlm; وزير\n الخارجية &amp;lrm;يزور دمشق"
    summary = (
        "&lt;p&gt;فقرة &amp;laquo;أولى&amp;raquo;&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"
        "&lt;p&gt;ثانية&lt;/p&gt;"
    )
    (article,) = parse(rss(item(title, description=summary)).encode()).articles
    assert article.title == "عاجل: وزير الخارجية يزور دمشق"
    assert article.summary == "فقرة «أولى»\n\nثانية"


def test_active_and_hidden_markup_never_reaches_the_text() -> None:
    # feedparser's sanitiser is off (html_to_text is the one cleaner): what it used to strip must still go.
    body = (
        "<p>أول <a href='/rel/link' onclick='steal()'>رابط</a></p><script>alert('x')</script>"
        "<style>p{}</style><applet>لا</applet><iframe src='https://evil/'>لا</iframe>"
        "<object>لا</object><noscript>لا</noscript><!-- تعليق --><img src=x onerror='y()'><p>آخر</p>"
    )
    items = item(description=html.escape(body)).replace(
        "</item>", f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )
    data = rss(items).replace("<rss ", '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" ')
    (article,) = parse(data.encode()).articles
    assert article.summary == article.content == "أول رابط\n\nآخر"


def test_duplicate_guids_are_all_parsed() -> None:
    items = item(guid="dup-1", link="https://example.net/a") + item(
        "آخر", guid="dup-1", link="https://example.net/b"
    )
    result = parse(rss(items).encode())
    assert [a.guid for a in result.articles] == ["dup-1", "dup-1"]
    assert result.articles[0].id != result.articles[1].id  # ids come from the links


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_published_missing_unparsable_future_and_ok() -> None:
    items = "".join(
        [
            item(link="https://example.net/1"),
            item(link="https://example.net/2", pubDate="ليس تاريخا"),
            item(link="https://example.net/3", pubDate="Mon, 02 Sep 2024 16:00:00 +0300"),  # 1 h ahead
            item(link="https://example.net/4", pubDate="Mon, 02 Sep 2024 15:05:00 +0300"),  # 5 min ahead
            item(link="https://example.net/5", pubDate="Mon, 02 Sep 2024 09:30:00 -0200"),
        ]
    )
    result = parse(rss(items).encode())
    got = [(a.published, a.published_status) for a in result.articles]
    assert got == [
        (FETCHED, "missing"),
        (FETCHED, "unparsable"),
        (FETCHED, "future"),
        (datetime(2024, 9, 2, 12, 5, tzinfo=UTC), "ok"),
        (datetime(2024, 9, 2, 11, 30, tzinfo=UTC), "ok"),
    ]
    later = parse(rss(items).encode(), now=FETCHED + timedelta(hours=2)).articles[2]
    assert (later.published, later.published_status) == (datetime(2024, 9, 2, 13, 0, tzinfo=UTC), "ok")


@pytest.mark.parametrize(
    "date",
    ["Thu, 01 Jan 1970 00:00:00 GMT", "Mon, 01 Jan 1900 00:00:00 GMT", "Sat, 31 Dec 1994 23:00:00 GMT"],
)
def test_a_date_before_online_news_is_not_believed(date: str) -> None:
    [article] = parse(rss(item(link="https://example.net/1", pubDate=date)).encode()).articles
    assert (article.published, article.published_status) == (FETCHED, "unparsable")


def test_tracker_and_amp_links_map_to_one_canonical_url_and_id() -> None:
    links = [
        "https://example.net/news/2024/09/story?utm_source=rss&amp;utm_medium=feed",
        "https://m.example.net/amp/news/2024/09/story/?fbclid=x#top",
        "https://amp.example.net/news/2024/09/story.amp?amp=1&amp;gclid=y",
    ]
    result = parse(rss("".join(item(link=link) for link in links)).encode())
    assert {a.canonical_url for a in result.articles} == {"https://example.net/news/2024/09/story"}
    assert len({a.id for a in result.articles}) == 1
    assert result.articles[0].url == links[0].replace("&amp;", "&")  # the original link is kept


def test_entries_that_cannot_be_articles_are_reported() -> None:
    items = (
        item(link="", description="بلا رابط ولا معرف")
        + item(title="", link="", guid="g-2")
        + item(title="", link="javascript:void(0)")
        + item()
    )
    result = parse(rss(items).encode())
    assert len(result.articles) == 1
    assert result.errors == [
        EntryError(index=0, reason="no link and no guid"),
        EntryError(index=1, reason="no title and no summary", guid="g-2"),
        EntryError(index=2, reason="no title and no summary", url="javascript:void(0)"),
    ]


@pytest.mark.parametrize("link", ["javascript:void(0)", "http://[broken/x"])
def test_unusable_link_falls_back_to_the_guid(link: str) -> None:
    (article,) = parse(rss(item(link=link, guid="g-3")).encode()).articles
    assert (article.url, article.canonical_url, article.guid) == (link, "", "g-3")
    assert article.id == article_id(None, "g-3")
    (error,) = parse(rss(item(link=link)).encode()).errors
    assert error.reason.startswith("unusable link and no guid")


def test_non_url_permalink_guid_is_not_taken_for_a_link() -> None:
    (article,) = parse(rss(item(link="", guid="abc-1")).encode()).articles
    assert (article.url, article.canonical_url, article.guid) == ("", "", "abc-1")
    assert article.id == article_id(None, "abc-1")


def test_permalink_guid_url_becomes_the_link_and_relative_links_are_resolved() -> None:
    items = item(link="", guid="https://m.example.net/news/7?utm_source=x") + item(link="/news/8")
    first, second = parse(rss(items).encode()).articles
    assert (first.url, first.canonical_url) == (
        "https://m.example.net/news/7?utm_source=x",
        "https://example.net/news/7",
    )
    assert second.url == "https://example.net/news/8"
    assert second.id == article_id(canonical_url("https://example.net/news/8"), None)


def test_fields_language_author_and_title_from_summary() -> None:
    ns = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
    data = rss(item(title="", description="<p>" + "كلمة " * 40 + "</p><p>فقرة</p>")).replace(
        "<rss ", f"<rss {ns} "
    )
    data = data.replace("</item>", "<dc:creator>&lt;b&gt;علي&lt;/b&gt;</dc:creator></item>")
    (article,) = parse(data.encode()).articles
    assert article.title.endswith("…")
    assert len(article.title) <= 121
    assert "\n" not in article.title
    assert (article.author, article.language_hint, article.feed_url) == ("علي", "ar", FEED_URL)
    (hinted,) = parse(data.encode(), language_hint="ar-SA").articles
    assert hinted.language_hint == "ar-SA"


def test_times_are_utc_and_naive_times_are_refused() -> None:
    local = timezone(timedelta(hours=3))
    (article,) = parse_feed(
        rss(item()).encode(),
        feed_url=FEED_URL,
        outlet="x",
        fetched_at=datetime(2024, 9, 2, 15, 0, tzinfo=local),
    ).articles
    assert article.fetched_at == FETCHED
    assert article.fetched_at.tzinfo == UTC
    with pytest.raises(ValueError, match="fetched_at"):
        parse_feed(rss(item()).encode(), feed_url=FEED_URL, outlet="x", fetched_at=datetime(2024, 9, 2))


# ------------------------------------------------------------------------------------------ fast paths

_DAY_NAMES = ["", "Mon, ", "tue,  ", "SAT,\t"]
_MONTH_NAMES = ["Jan", "feb", "MAR", "Apr", "May", "jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo"]
_ZONES = [
    "GMT",
    "UT",
    "Z",
    "gmt",
    "+0000",
    "+0300",
    "-0530",
    "+1400",
    "-1200",
    "+0099",
    "EST",
    "UTC",
    "+03:00",
]


@given(
    st.sampled_from(_DAY_NAMES),
    st.integers(0, 39).map(str) | st.integers(1, 9).map(lambda day: f"0{day}"),
    st.sampled_from(_MONTH_NAMES),
    st.integers(1, 9999).map(lambda year: f"{year:04d}") | st.sampled_from(["15", "99"]),
    st.tuples(st.integers(0, 25), st.integers(0, 61), st.integers(0, 61)),
    st.sampled_from(_ZONES),
)
def test_fast_rfc822_dates_read_as_feedparser_reads_them(
    day_name: str, day: str, month: str, year: str, clock: tuple[int, int, int], zone: str
) -> None:
    # The handler registered first answers only what feedparser's own chain (W3C-DTF, then RFC 822) would
    # answer; anything else it leaves to that chain.
    text = f"{day_name}{day} {month} {year} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d} {zone}"
    fast = producers.parse.canonical_rfc822_date(text)
    if fast is not None:
        assert _parse_date_w3dtf(text) is None
        assert fast == _parse_date_rfc822(text)


@pytest.mark.parametrize(
    "text",
    ["Sat,08 Aug 2015 12:34:56 +0000", "08 Aug 15 12:34:56 GMT", "Sat, 08 Aug 2015 12:34 +0000",
     "Sat, 08 Aug 2015 12:34:56 EST", "2015-08-08T12:34:56Z", " Sat, 08 Aug 2015 12:34:56 +0000", ""],
)  # fmt: skip
def test_other_date_forms_are_left_to_feedparser(text: str) -> None:
    assert producers.parse.canonical_rfc822_date(text) is None


_URL_PIECES = [
    *("http://", "https://", "HTTP://", "http:/", "", "h.com", "a.b", "[::1]", "[::1", "x:80", "/", "//"),
    *("?", "#", ";", "@", "%", "&", "=", " ", "\t", "\n", "\x01", "\x85", "\u00a0", "..", "a", "خ"),
]


@example("https://x.example/rss", "https://h.com?")
@example("https://x.example/rss", "https://h.com/a#")
@example("https://x.example/rss", "https://h.com/a;")
@example("https://x.example/rss", "https://h.com/a;b?c")
@example("https://x.example/rss", "http://h.com/a\tb")
@example("https://x.example/rss", "https://[::1")
@example("https://x.example/rss", "http:///x")
@example("https://x.example/rss", "HTTP://h.com/x")
@example("https://x.example/rss", "https://h.com/a/../b")
@example("https://x.example/rss", "https://h.com/\x01")
@example("https://x.example/rss", "//h.com/x")
@given(
    st.sampled_from(["https://x.example/rss", "http://x.example/a/b", "https://x.example", "ftp://x/"]),
    st.lists(st.sampled_from(_URL_PIECES), max_size=10).map("".join),
)
def test_links_resolve_as_urljoin_resolves_them(feed_url: str, link: str) -> None:
    # _resolve skips urljoin for plain absolute links; it must give what urljoin gives (or raise as it does).
    try:
        expected = urljoin(feed_url, link)
    except ValueError as refused:
        with pytest.raises(ValueError, match=re.escape(str(refused))):
            producers.parse._resolve(feed_url, link)
        return
    assert producers.parse._resolve(feed_url, link) == expected

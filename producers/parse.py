"""Feed bytes to :class:`RawArticle` records: pure, no network, no Kafka.

``feedparser`` decodes the bytes as RFC 3023 says: the charset of the ``Content-Type`` header, else the XML
declaration or BOM (UTF-8, windows-1256 and ISO-8859-6 all work), else UTF-8. Every entry becomes an
article or an :class:`EntryError` with a reason; none is dropped silently. A malformed feed that still
yields entries is returned with ``bozo`` set; one that yields nothing raises :class:`FeedParseError`.

>>> from datetime import UTC, datetime
>>> rss = b'<rss version="2.0"><channel><item><title>Hi</title><link>https://m.x.com/1</link></item></channel>'
>>> result = parse_feed(rss + b"</rss>", feed_url="https://x.com/", outlet="x", fetched_at=datetime.now(UTC))
>>> [(a.title, a.canonical_url, a.published_status) for a in result.articles]
[('Hi', 'https://x.com/1', 'missing')]
"""

from __future__ import annotations

import calendar
import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal
from urllib.parse import urljoin, urlsplit

import feedparser
from feedparser.exceptions import ThingsNobodyCaresAboutButMe
from pydantic import ValidationError

from contracts.schemas import RawArticle

from .charset import wrong_charset
from .errors import FeedParseError, InvalidUrlError
from .text import html_to_text
from .urls import article_id, canonical_url

__all__ = ["FUTURE_TOLERANCE", "EntryError", "ParseResult", "parse_feed"]

#: A published time further than this ahead of ``now`` is treated as wrong (status ``"future"``).
FUTURE_TOLERANCE: Final = timedelta(minutes=10)
#: A published time before this is not believed either (status ``"unparsable"``): no Arabic outlet published
#: online before it, and CMSs that lose a date write the Unix epoch (1970) or the year 1 or 1900.
EARLIEST_PUBLISHED: Final = datetime(1995, 1, 1, tzinfo=UTC)
_HEADLINE_CHARS: Final = 120
PublishedStatus = Literal["ok", "missing", "unparsable", "future"]

# The RFC 822 date of nearly every RSS item, in its canonical form: "Sat, 08 Aug 2015 12:34:56 +0300".
_RFC822_RE: Final = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun),[ \t]+)?(\d\d?)[ \t]+"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[ \t]+(\d{4})[ \t]+(\d\d):(\d\d):(\d\d)[ \t]+"
    r"(?:gmt|ut|z|([+-])(\d\d)(\d\d))",
    re.IGNORECASE | re.ASCII,
)
_PLAIN_ABSOLUTE_RE: Final = re.compile(
    r"https?://[A-Za-z0-9._~!$&'()*+,=:@%-]+(?:/[^\x00-\x20\x7f-\x9f;?#]*)?"
    r"(?:\?[^\x00-\x20\x7f-\x9f#]+)?(?:#[^\x00-\x20\x7f-\x9f]+)?"
)
_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}


def canonical_rfc822_date(value: str) -> time.struct_time | None:
    """The UTC time of a canonical RFC 822 date, else None: feedparser's first date handler.

    feedparser tries its handlers in turn (W3C-DTF first, which fails on every RFC 822 date, then RFC 822,
    both in Python). This one reads only the canonical form, with a day name or without, a 4-digit year, a
    ``GMT``/``UT``/``Z`` or ``+hhmm`` zone, and answers exactly what feedparser's RFC 822 handler would;
    anything else (other zones, 2-digit years, an impossible date) gets None and goes on down feedparser's
    own chain, so no date is read differently. Registered with feedparser's documented
    ``registerDateHandler`` when this module is imported.

    >>> canonical_rfc822_date("Sat, 08 Aug 2015 12:34:56 +0300")[:6]
    (2015, 8, 8, 9, 34, 56)
    >>> canonical_rfc822_date("2015-08-08T12:34:56Z") is None
    True
    """
    match = _RFC822_RE.fullmatch(value)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes)) if sign else timedelta(0)
    try:
        stamp = datetime(int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second))
        return (stamp + offset if sign == "-" else stamp - offset).utctimetuple()
    except (ValueError, OverflowError):
        return None


feedparser.registerDateHandler(canonical_rfc822_date)


@dataclass(frozen=True)
class EntryError:
    """An entry that could not become an article: its position in the feed, why, and what identifies it.

    >>> EntryError(3, "no link and no guid").reason
    'no link and no guid'
    """

    index: int
    reason: str
    guid: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ParseResult:
    """What one feed document yielded: articles, rejected entries, feedparser's complaint and the encoding.

    >>> ParseResult(articles=[], errors=[], bozo=None).articles
    []
    """

    articles: list[RawArticle]
    errors: list[EntryError]
    bozo: str | None
    encoding: str | None = None
    #: The complaint is about the markup, not only the declared encoding (an empty feed may still be valid).
    malformed: bool = False


@dataclass(frozen=True)
class _Context:
    feed_url: str
    outlet: str
    fetched_at: datetime
    now: datetime
    language_hint: str | None


class _RejectedError(Exception):
    """An entry cannot become an article; the message is the reason."""


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must carry a timezone (UTC), got {value!r}")
    return value.astimezone(UTC)


def _clean(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _response_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    # feedparser looks headers up lower-cased. Content-Location is left out: feedparser would resolve a
    # non-URL permalink GUID against it and invent a URL (``abc`` -> ``https://site/feed/abc``). Without a
    # Content-Type feedparser assumes ISO-8859-1 for any document with headers; application/xml lets the BOM
    # and XML declaration decide, defaulting to UTF-8 (the XML rule).
    out = {key.lower(): value for key, value in (headers or {}).items() if key.lower() != "content-location"}
    out.setdefault("content-type", "application/xml")
    return out


def _resolve(feed_url: str, link: str) -> str:
    # urljoin(feed_url, link), without its two URL parses when the link is absolute in a form urljoin gives
    # back unchanged (an http(s) host, no whitespace or controls, no ";" path parameters, no empty "?" or
    # "#"): the link of nearly every feed item.
    if _PLAIN_ABSOLUTE_RE.fullmatch(link):
        return link
    return urljoin(feed_url, link)


def _link(entry: Mapping[str, Any], feed_url: str) -> str | None:
    link = _clean(entry.get("link"))
    if link is None:
        return None
    real = any(
        isinstance(ref, Mapping) and _clean(ref.get("href")) == link for ref in entry.get("links") or []
    )
    try:
        if real:
            return _resolve(feed_url, link)  # a real <link>, possibly relative
        # feedparser copied a permalink GUID into ``link``: a URL only if it is an absolute http(s) one.
        return link if urlsplit(link).scheme.lower() in ("http", "https") else None
    except ValueError:  # malformed (e.g. "http://[x"): canonical_url refuses it later
        return link if real else None


def _published(entry: Mapping[str, Any], ctx: _Context) -> tuple[datetime, PublishedStatus]:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not isinstance(parsed, time.struct_time):
        raw = _clean(entry.get("published")) or _clean(entry.get("updated"))
        return ctx.fetched_at, ("unparsable" if raw else "missing")
    try:  # feedparser gives UTC; timegm also absorbs a leap second (sec=60)
        published = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, OSError, ValueError):
        return ctx.fetched_at, "unparsable"
    if published - ctx.now > FUTURE_TOLERANCE:
        return ctx.fetched_at, "future"
    if published < EARLIEST_PUBLISHED:
        return ctx.fetched_at, "unparsable"
    return published, "ok"


def _headline(summary: str) -> str:
    first = summary.split("\n", 1)[0]
    if len(first) <= _HEADLINE_CHARS:
        return first
    cut = first[:_HEADLINE_CHARS].rsplit(" ", 1)[0] or first[:_HEADLINE_CHARS]
    return cut + "…"


def _content(entry: Mapping[str, Any]) -> str:
    texts: list[str] = []
    for part in entry.get("content") or []:
        text = html_to_text(part.get("value") or "")
        if text and text not in texts:
            texts.append(text)
    return "\n\n".join(texts)


def _article(entry: Mapping[str, Any], ctx: _Context) -> RawArticle:
    guid = _clean(entry.get("id"))
    link = _link(entry, ctx.feed_url)
    if link is None and guid is None:
        raise _RejectedError("no link and no guid")
    title = html_to_text(entry.get("title") or "", single_line=True)
    summary = html_to_text(entry.get("summary") or "")
    if not title and not summary:
        raise _RejectedError("no title and no summary")
    canonical = ""
    if link is not None:
        try:
            canonical = canonical_url(link)
        except InvalidUrlError as exc:
            if guid is None:
                raise _RejectedError(f"unusable link and no guid: {exc}") from None
    published, status = _published(entry, ctx)
    return RawArticle(
        id=article_id(canonical or None, guid),
        url=link or "",
        canonical_url=canonical,
        guid=guid,
        outlet=ctx.outlet,
        feed_url=ctx.feed_url,
        title=title or _headline(summary),
        summary=summary,
        content=_content(entry),
        author=html_to_text(entry.get("author") or "", single_line=True) or None,
        language_hint=ctx.language_hint,
        published=published,
        published_status=status,
        fetched_at=ctx.fetched_at,
    )


def _fail_if_unreadable(data: bytes, parsed: Any, feed_url: str) -> None:
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not data.strip():
        raise FeedParseError(f"feed {feed_url}: empty document")
    if exc is not None and not isinstance(exc, ThingsNobodyCaresAboutButMe):
        raise FeedParseError(
            f"feed {feed_url}: malformed and yielded no entries: {type(exc).__name__}: {exc}"
        )
    if not parsed.get("version"):
        raise FeedParseError(f"feed {feed_url}: not an RSS or Atom feed (no feed element recognised)")


def parse_feed(
    data: bytes,
    *,
    feed_url: str,
    outlet: str,
    headers: Mapping[str, str] | None = None,
    fetched_at: datetime,
    language_hint: str | None = None,
    now: datetime | None = None,
) -> ParseResult:
    """Parse one fetched feed document into articles and per-entry errors.

    ``headers`` are the HTTP response headers (their ``Content-Type`` charset wins, per RFC 3023).
    ``published`` comes from the entry's published (else updated) time in UTC; when it is missing,
    unparsable, or more than :data:`FUTURE_TOLERANCE` after ``now`` (default ``fetched_at``) it is
    ``fetched_at`` and ``published_status`` says why. Titles are single-line text; when an entry has no title
    its summary's first line stands in. Relative links are resolved against ``feed_url``.
    ``language_hint`` defaults to the feed's declared language. An entry whose link is unusable but has a GUID
    keeps ``url`` and gets ``canonical_url=""``, its id from the GUID; one with no link gets ``url=""``.
    Duplicate GUIDs are all returned: de-duplication is not this function's job. Raise
    :class:`FeedParseError` when the document yields no entries and is empty, malformed (an encoding
    complaint alone does not count: an empty feed is valid) or not a feed, or when feedparser crashes.

    >>> from datetime import UTC, datetime
    >>> parse_feed(b"<html>hi</html>", feed_url="https://x.com/", outlet="x", fetched_at=datetime.now(UTC))
    Traceback (most recent call last):
    ...
    producers.errors.FeedParseError: feed https://x.com/: not an RSS or Atom feed (no feed element recognised)
    """
    fetched_at = _aware(fetched_at, "fetched_at")
    now = _aware(now, "now") if now is not None else fetched_at
    try:
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers=_response_headers(headers),
            # html_to_text reduces every HTML field to text and drops scripts, styles and other non-text
            # elements itself, so feedparser's sanitiser and its rewriting of links inside HTML would be
            # work thrown away (a second HTML parse of every summary and content: ~25% of parse time).
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as crash:  # feedparser's loose parser can crash on broken markup (KeyError: 'links')
        raise FeedParseError(
            f"feed {feed_url}: feedparser failed: {type(crash).__name__}: {crash}"
        ) from crash
    entries: list[Mapping[str, Any]] = list(parsed.get("entries") or [])
    if not entries:
        _fail_if_unreadable(data, parsed, feed_url)
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    hint = _clean(language_hint) or _clean((parsed.get("feed") or {}).get("language"))
    ctx = _Context(feed_url=feed_url, outlet=outlet, fetched_at=fetched_at, now=now, language_hint=hint)
    articles: list[RawArticle] = []
    errors: list[EntryError] = []
    for index, feed_entry in enumerate(entries):
        # A plain dict: FeedParserDict maps missing keys to others (updated_parsed -> published_parsed)
        # with a DeprecationWarning.
        entry: dict[str, Any] = dict(feed_entry)
        try:
            articles.append(_article(entry, ctx))
        except _RejectedError as reason:
            errors.append(_entry_error(index, str(reason), entry, feed_url))
        except ValidationError as invalid:
            first = invalid.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            errors.append(_entry_error(index, f"invalid record: {where}: {first['msg']}", entry, feed_url))
    return ParseResult(
        articles=articles,
        errors=errors,
        bozo=f"{type(exc).__name__}: {exc}" if exc is not None else None,
        encoding=parsed.get("encoding") or None,
        malformed=exc is not None and not isinstance(exc, ThingsNobodyCaresAboutButMe),
    )


def parse_document(
    data: bytes,
    *,
    feed_url: str,
    outlet: str,
    headers: Mapping[str, str] | None = None,
    fetched_at: datetime,
    language_hint: str | None = None,
) -> tuple[ParseResult, str | None]:
    """:func:`parse_feed`, and again with the right charset when the declared one is wrong
    (:func:`~producers.charset.wrong_charset`): the result, and for a wrong charset the reason the document
    goes to the dead-letter topic (its articles are kept). What the poller publishes and ``khabar feeds
    check`` shows. Raise :class:`FeedParseError` as :func:`parse_feed` does."""

    def parse(with_headers: Mapping[str, str] | None) -> ParseResult:
        return parse_feed(
            data,
            feed_url=feed_url,
            outlet=outlet,
            headers=with_headers,
            fetched_at=fetched_at,
            language_hint=language_hint,
        )

    parsed = parse(headers)
    wrong = wrong_charset(data, parsed_as=parsed.encoding, complaint=parsed.bozo)
    if wrong is None:
        return parsed, None
    charset, reason = wrong
    kept = {key: value for key, value in (headers or {}).items() if key.lower() != "content-type"}
    repaired = parse({**kept, "Content-Type": f"application/xml; charset={charset}"})
    return repaired, f"wrong declared encoding: {reason} (articles were read as {charset})"


def unique_articles(articles: list[RawArticle]) -> dict[str, RawArticle]:
    """Article id -> the first article with that id (feeds repeat GUIDs and links; one publish per id).

    >>> from datetime import UTC, datetime
    >>> t = datetime(2015, 8, 8, tzinfo=UTC)
    >>> a = RawArticle(id="a" * 16, url="u", canonical_url="u", outlet="x", title="1", published=t,
    ...     fetched_at=t)
    >>> list(unique_articles([a, a.model_copy(update={"title": "2"})]).values())[0].title
    '1'
    """
    unique: dict[str, RawArticle] = {}
    for article in articles:
        unique.setdefault(article.id, article)
    return unique


def _entry_error(index: int, reason: str, entry: Mapping[str, Any], feed_url: str) -> EntryError:
    return EntryError(index=index, reason=reason, guid=_clean(entry.get("id")), url=_link(entry, feed_url))

"""Simulated feeds built from a corpus: items appear over simulated time, with optional faults. Pure.

The local feed server (:mod:`producers.feedserver`) serves what this module renders:

- :class:`SimClock` maps real time to corpus time (``speed`` × faster; :meth:`SimClock.advance` jumps);
- :class:`FeedCatalog` holds each outlet's items in publish order and shows the newest ``window`` that are
  published by the simulated "now", as real feeds do;
- :func:`render_feed` writes them as RSS 2.0 or Atom, applying the :data:`FAULTS` asked for.

>>> from datetime import UTC, datetime
>>> from producers.corpus import CorpusArticle
>>> when = datetime(2015, 8, 8, 9, 0, tzinfo=UTC)
>>> catalog = FeedCatalog([CorpusArticle("sabq", "https://sabq.org/1", when, "عنوان", "نص")])
>>> [item.title for item in catalog.visible("sabq", now=when)]
['عنوان']
>>> render_feed("sabq", catalog.visible("sabq", now=when), base_url="http://h", now=when)[:38]
b'<?xml version="1.0" encoding="utf-8"?>'
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Final, Literal
from xml.sax.saxutils import escape, quoteattr

from contracts.schemas import RawArticle

from .corpus import CorpusArticle

__all__ = ["FAULTS", "Faults", "FeedCatalog", "FeedItem", "SimClock", "outlet_slug", "render_feed"]

#: Faults the server can inject, per outlet or for all (``*``).
FAULTS: Final = (
    "500",  # answer 500 Internal Server Error
    "slow",  # answer only after Faults.slow_s (longer than a client's read timeout)
    "truncated",  # cut the document inside its first item
    "wrong-encoding",  # send windows-1256 bytes but declare UTF-8
    "duplicate-guids",  # list every item twice
    "missing-dates",  # no pubDate / published / updated
    "html-titles",  # titles with HTML markup and entities
    "rtl-marks",  # right-to-left and left-to-right marks inside titles
    "broken-entries",  # every third item has neither link nor guid
)
FeedFormat = Literal["rss", "atom"]
Fault = frozenset[str]
_SUMMARY_CHARS: Final = 600
_SLUG_RE: Final = re.compile(r"[^a-z0-9._-]+")


def outlet_slug(outlet: str) -> str:
    """An outlet name as a registry id and URL path segment.

    >>> outlet_slug("Al Madina!")
    'al-madina'
    """
    slug = _SLUG_RE.sub("-", outlet.strip().lower()).strip("-._")
    return slug[:64] or "outlet"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item as a feed lists it."""

    guid: str
    link: str
    title: str
    summary: str
    published: datetime
    author: str = ""


@dataclass(frozen=True)
class Faults:
    """Which faults apply to which outlet (``"*"``: every outlet).

    >>> Faults.parse(["500:sabq", "rtl-marks"]).for_outlet("sabq") == frozenset({"500", "rtl-marks"})
    True
    """

    by_outlet: Mapping[str, frozenset[str]] = field(default_factory=dict)
    slow_s: float = 5.0

    @classmethod
    def parse(cls, specs: Iterable[str], *, slow_s: float = 5.0) -> Faults:
        """Read ``KIND`` or ``KIND:OUTLET[,OUTLET...]``; raise :class:`ValueError` naming a bad one."""
        table: dict[str, set[str]] = {}
        for spec in specs:
            kind, _, outlets = spec.partition(":")
            if kind not in FAULTS:
                raise ValueError(f"unknown fault {kind!r} in {spec!r}; choose from {', '.join(FAULTS)}")
            for outlet in outlets.split(",") if outlets else ["*"]:
                table.setdefault(outlet_slug(outlet) if outlet != "*" else "*", set()).add(kind)
        return cls({outlet: frozenset(kinds) for outlet, kinds in table.items()}, slow_s=slow_s)

    def for_outlet(self, outlet: str) -> frozenset[str]:
        """The faults of ``outlet``, the ones for every outlet included."""
        return self.by_outlet.get(outlet, frozenset()) | self.by_outlet.get("*", frozenset())


class SimClock:
    """Simulated time: ``start`` at creation, running ``speed`` times faster than ``monotonic``."""

    def __init__(
        self, start: datetime, *, speed: float = 1.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated start time must carry a timezone")
        if speed < 0:
            raise ValueError(f"speed must be >= 0, got {speed}")
        self._start = start
        self._speed = speed
        self._monotonic = monotonic
        self._origin = monotonic()
        self._offset = timedelta()

    def now(self) -> datetime:
        """The simulated time now."""
        elapsed = (self._monotonic() - self._origin) * self._speed
        return self._start + self._offset + timedelta(seconds=elapsed)

    def advance(self, delta: timedelta) -> None:
        """Jump ahead (or back) by ``delta``."""
        self._offset += delta


def _item(article: CorpusArticle | RawArticle) -> FeedItem:
    if isinstance(article, RawArticle):
        text = article.summary or article.content
        return FeedItem(
            guid=article.guid or article.url,
            link=article.url,
            title=article.title,
            summary=text[:_SUMMARY_CHARS],
            published=article.published,
            author=article.author or "",
        )
    return FeedItem(
        guid=article.url,
        link=article.url,
        title=article.title,
        summary=article.content.strip()[:_SUMMARY_CHARS],
        published=article.published,
        author=article.author,
    )


class FeedCatalog:
    """Each outlet's items in publish order, and the window a feed shows at a given time."""

    def __init__(self, articles: Iterable[CorpusArticle | RawArticle], *, window: int = 50) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = window
        items: dict[str, list[FeedItem]] = {}
        for article in articles:
            items.setdefault(outlet_slug(article.outlet), []).append(_item(article))
        for listed in items.values():
            listed.sort(key=lambda item: item.published)
        self._items = items
        self._times = {outlet: [item.published for item in listed] for outlet, listed in items.items()}

    @property
    def outlets(self) -> list[str]:
        """The outlet slugs, sorted."""
        return sorted(self._items)

    def first_published(self) -> datetime | None:
        """The earliest publish time of the catalog."""
        firsts = [listed[0].published for listed in self._items.values() if listed]
        return min(firsts) if firsts else None

    def visible(self, outlet: str, *, now: datetime) -> list[FeedItem]:
        """The newest ``window`` items of ``outlet`` published at or before ``now``, newest first."""
        listed = self._items.get(outlet, [])
        end = bisect.bisect_right(self._times.get(outlet, []), now)
        return list(reversed(listed[max(0, end - self.window) : end]))


def _title(item: FeedItem, faults: frozenset[str]) -> str:
    title = item.title
    if "rtl-marks" in faults:
        title = "\u200f" + title.replace(" ", " \u200e", 1) + "\u200f"
    if "html-titles" in faults:
        title = f"<b>{title}</b> &amp; <i>عاجل</i>"  # markup inside the (escaped) element text
    return title


def _entries(items: Sequence[FeedItem], faults: frozenset[str]) -> list[tuple[FeedItem, bool]]:
    """(item, has identity) in feed order, with the duplicate and broken-entry faults applied."""
    out = [(item, not ("broken-entries" in faults and index % 3 == 2)) for index, item in enumerate(items)]
    if "duplicate-guids" in faults:
        out = [pair for pair in out for _ in range(2)]
    return out


def _rss(outlet: str, items: Sequence[FeedItem], base_url: str, now: datetime, faults: Fault) -> str:
    parts = [
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
        f"<title>{escape(outlet)}</title><link>{escape(base_url)}/</link>",
        f"<description>khabar local feed: {escape(outlet)}</description><language>ar</language>",
        f"<lastBuildDate>{format_datetime(now, usegmt=True)}</lastBuildDate>",
    ]
    for item, identified in _entries(items, faults):
        parts.append(f"<item><title>{escape(_title(item, faults))}</title>")
        if identified:
            parts.append(
                f'<link>{escape(item.link)}</link><guid isPermaLink="true">{escape(item.guid)}</guid>'
            )
        if "missing-dates" not in faults:
            parts.append(f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>")
        if item.author:
            parts.append(f"<dc:creator>{escape(item.author)}</dc:creator>")
        parts.append(f"<description>{escape(item.summary)}</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts)


def _atom(
    outlet: str, items: Sequence[FeedItem], base_url: str, now: datetime, faults: frozenset[str]
) -> str:
    parts = [
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">',
        f"<title>{escape(outlet)}</title><id>urn:khabar:feed:{escape(outlet)}</id>",
        f"<link href={quoteattr(base_url + '/')}/><updated>{now.isoformat()}</updated>",
    ]
    for item, identified in _entries(items, faults):
        parts.append(f'<entry><title type="html">{escape(_title(item, faults))}</title>')
        if identified:
            parts.append(f"<link href={quoteattr(item.link)}/><id>{escape(item.guid)}</id>")
        if "missing-dates" not in faults:
            stamp = item.published.isoformat()
            parts.append(f"<published>{stamp}</published><updated>{stamp}</updated>")
        if item.author:
            parts.append(f"<author><name>{escape(item.author)}</name></author>")
        parts.append(f'<summary type="text">{escape(item.summary)}</summary></entry>')
    parts.append("</feed>")
    return "".join(parts)


def render_feed(
    outlet: str,
    items: Sequence[FeedItem],
    *,
    base_url: str,
    now: datetime,
    fmt: FeedFormat = "rss",
    faults: frozenset[str] = frozenset(),
) -> bytes:
    """The feed document of ``outlet`` as bytes, always declaring UTF-8 (``wrong-encoding``: falsely)."""
    body = (_rss if fmt == "rss" else _atom)(outlet, items, base_url, now, faults)
    document = '<?xml version="1.0" encoding="utf-8"?>\n' + body
    if "wrong-encoding" in faults:
        data = document.encode("windows-1256", errors="xmlcharrefreplace")
    else:
        data = document.encode("utf-8")
    if "truncated" in faults:
        marker = data.find(b"<item>" if fmt == "rss" else b"<entry>")
        data = data[: marker + 20] if marker >= 0 else data[: len(data) // 2]
    return data

"""Full text for feed entries that carry only a summary: fetch the article page, extract it, fill ``content``.

Off unless ``KHABAR_PRODUCERS__FULL_TEXT=true``. The poller hands :meth:`FullText.enrich` the articles of a
feed document and the ids the seen-store does not know yet; for each new article whose feed ``content`` is
shorter than ``full_text_below_chars``, the article page is fetched with the feeds' own :class:`Fetcher`
(User-Agent, timeouts, size limit, redirects) through the same :class:`HostGate` (per-host concurrency and
politeness delay), at most ``full_text_max_per_host`` pages per host per round. The body is extracted in a
worker thread (:func:`producers.extract.extract_text`) and replaces ``content`` when it is longer than what
the feed gave (its content or its summary).

A page that cannot be fetched or has no article body never costs the entry: it is published with the feed's
text, and the outcome is counted in ``khabar_producer_full_text_total{outlet,outcome}`` and logged.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Coroutine, Sequence
from typing import Any, Final, Literal, Protocol
from urllib.parse import urlsplit

import structlog
from prometheus_client import CollectorRegistry, Counter

from contracts.schemas import RawArticle
from contracts.settings import ProducerSettings

from .extract import Extracted, extract_text
from .fetch import Fetcher, FetchResult
from .politeness import HostGate

__all__ = ["Extract", "FullText", "Outcome"]

#: What became of one article: content replaced, or why the feed's text was kept.
Outcome = Literal[
    "extracted",
    "not_longer",
    "no_article",
    "not_html",
    "fetch_failed",
    "extract_failed",
    "over_cap",
    "bad_url",
]
_CHARSET_RE: Final = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_log = structlog.get_logger("khabar.producers.fulltext")


class Extract(Protocol):
    """How a page becomes text (:func:`producers.extract.extract_text`; injected in tests)."""

    def __call__(self, html: bytes | str, *, url: str, charset: str | None = None) -> Extracted | None: ...


class FullText:
    """Fills ``RawArticle.content`` from the article page for new, short entries (see the module doc)."""

    def __init__(
        self,
        settings: ProducerSettings,
        *,
        fetcher: Fetcher,
        gate: HostGate,
        registry: CollectorRegistry | None = None,
        extract: Extract = extract_text,
    ) -> None:
        self.enabled = settings.full_text
        self._below_chars = settings.full_text_below_chars
        self._max_per_host = settings.full_text_max_per_host
        self._fetcher = fetcher
        self._gate = gate
        self._extract = extract
        self._pages: dict[str, int] = {}
        self.outcomes = Counter(
            "khabar_producer_full_text_total",
            "Article pages tried for full text, by outcome (extracted, not_longer, no_article, not_html, "
            "fetch_failed, extract_failed, over_cap, bad_url)",
            ["outlet", "outcome"],
            registry=registry if registry is not None else CollectorRegistry(),
        )

    def new_round(self) -> None:
        """Start a polling round: every host gets ``full_text_max_per_host`` pages again."""
        self._pages.clear()

    def wants(self, article: RawArticle) -> bool:
        """True when the feed gave less content than ``full_text_below_chars`` (e.g. a summary only)."""
        return len(article.content) < self._below_chars

    async def enrich(self, articles: Sequence[RawArticle], *, new: Collection[str]) -> list[RawArticle]:
        """``articles`` in order, the new (id in ``new``) and short ones with their page's text as content.

        Does nothing unless the ``full_text`` setting is on. An id listed twice is fetched once (the first).
        """
        out = list(articles)
        if not self.enabled:
            return out
        chosen: dict[str, int] = {}
        for index, article in enumerate(articles):
            if article.id in new and article.id not in chosen and self.wants(article):
                chosen[article.id] = index
        fetches: dict[int, Coroutine[Any, Any, RawArticle]] = {}
        for index in chosen.values():
            article = articles[index]
            host = (urlsplit(article.url).hostname or "").lower()
            if not host:
                self._count(article, "bad_url", f"no host in {article.url!r}")
            elif self._pages.get(host, 0) >= self._max_per_host:
                self._count(article, "over_cap", f"{self._max_per_host} pages of {host} this round")
            else:
                self._pages[host] = self._pages.get(host, 0) + 1
                fetches[index] = self._fetch_text(article, host)
        for index, enriched in zip(fetches, await asyncio.gather(*fetches.values()), strict=True):
            out[index] = enriched
        return out

    async def _fetch_text(self, article: RawArticle, host: str) -> RawArticle:
        """The article with its page's text, or unchanged (counted and logged) if that fails."""
        try:
            async with self._gate.slot(host):
                result = await self._fetcher.fetch(article.url, gate=self._gate)
            return await self._from_page(article, result)
        except Exception as crash:  # a bug in a parser must not lose the entry
            _log.exception("full text crashed", url=article.url, outlet=article.outlet)
            self._count(article, "extract_failed", f"{type(crash).__name__}: {crash}")
            return article

    async def _from_page(self, article: RawArticle, result: FetchResult) -> RawArticle:
        if result.outcome != "ok":
            return self._count(article, "fetch_failed", f"{result.outcome}: {result.error}")
        content_type = _header(result, "content-type")
        if content_type and "html" not in content_type.lower() and "xml" not in content_type.lower():
            return self._count(article, "not_html", f"content-type {content_type!r}")
        charset = _CHARSET_RE.search(content_type or "")
        found = await asyncio.to_thread(
            self._extract,
            result.body,
            url=result.final_url or article.url,
            charset=charset.group(1) if charset else None,
        )
        if found is None:
            return self._count(article, "no_article", f"no article body in {len(result.body)} bytes")
        feed_chars = max(len(article.content), len(article.summary))
        if len(found.text) <= feed_chars:
            return self._count(article, "not_longer", f"{len(found.text)} <= {feed_chars} chars")
        self._count(article, "extracted", None)
        return article.model_copy(update={"content": found.text})

    def _count(self, article: RawArticle, outcome: Outcome, detail: str | None) -> RawArticle:
        self.outcomes.labels(outlet=article.outlet, outcome=outcome).inc()
        if outcome in ("fetch_failed", "not_html", "no_article", "extract_failed"):
            _log.warning(
                "full text failed", url=article.url, outlet=article.outlet, outcome=outcome, error=detail
            )
        elif outcome != "extracted":
            _log.debug(
                "full text skipped", url=article.url, outlet=article.outlet, outcome=outcome, why=detail
            )
        return article


def _header(result: FetchResult, name: str) -> str | None:
    for key, value in result.headers.items():
        if key.lower() == name:
            return value
    return None

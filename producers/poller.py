"""The polling loop: due feeds → fetch → parse → drop already-seen ids → publish → flush → mark seen.

One :meth:`Poller.poll_once` is a round over the feeds that are due (all of them with ``force=True``);
:meth:`Poller.run` repeats rounds until a stop event is set, sleeping until the next feed is due. Rules:

- **Nothing is lost on a crash**: ids are marked seen, and a feed's new ``ETag``/``Last-Modified`` kept, only
  after :meth:`Publisher.flush` returned, i.e. after Kafka acknowledged (or the publisher dead-lettered) every
  record. A crash in between republishes at most that batch (same keys; the dedupe stage absorbs it).
- **Nothing is published twice in normal operation**: the seen-store is asked per feed, and an id that
  appears twice in one document (duplicate GUIDs) is published once.
- **Bad input goes to the dead-letter topic** with the reason and the original bytes: a document that cannot
  be parsed at all (stage ``parse``, the whole body) and each entry that cannot become an article (the
  entry's own ``<item>``/``<entry>`` bytes when they can be cut out, else the document). The same bad bytes
  are dead-lettered once, not at every poll: their hash is remembered in the seen-store.
- **One bad feed never stops the others**: a failed fetch or an unreadable document backs the feed off
  (:class:`Backoff`, or longer if the server sent ``Retry-After``); the round carries on.
- **The event loop never blocks**: parsing, the seen-store and Kafka run in worker threads
  (``asyncio.to_thread``), one feed's delivery at a time (the publisher's flush covers everything sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import structlog

from contracts.schemas import RawArticle

from .errors import FeedParseError, ProducerError
from .fetch import Fetcher, FetchResult, Validators
from .fulltext import FullText
from .health import FeedHealth, HealthBook, save_health
from .metrics import ProducerMetrics
from .parse import ParseResult, parse_document, unique_articles
from .politeness import Backoff, HostGate
from .registry import FeedSpec

__all__ = ["ArticleSink", "FeedReport", "Poller", "RoundReport", "SeenIds", "entry_bytes", "entry_spans"]

FeedOutcome = Literal["published", "not_modified", "fetch_failed", "unreadable", "deferred"]
_ENTRY_TAG: Final = re.compile(rb"<(/?)(item|entry)(?:\s[^>]*)?>")
_PRUNE_EVERY: Final = timedelta(hours=6)
#: Rejected entries named in the one dead letter of those that cannot be cut out of their document.
_LISTED_ENTRIES: Final = 20
_MAX_SLEEP_S: Final = 60.0
_MIN_SLEEP_S: Final = 1.0
_log = structlog.get_logger("khabar.producers.poller")


class ArticleSink(Protocol):
    """What the poller needs of :class:`producers.publish.Publisher`."""

    def publish(self, article: RawArticle) -> None: ...

    def dead_letter(
        self,
        *,
        stage: str,
        reason: str,
        error_type: str,
        payload: bytes | str,
        key: str | None = None,
        source: str | None = None,
    ) -> None: ...

    def flush(self, timeout_s: float | None = None) -> Any: ...


class SeenIds(Protocol):
    """What the poller needs of :class:`producers.seen.SeenStore`."""

    def filter_new(self, feed: str, ids: Iterable[str]) -> list[str]: ...

    def mark(self, feed: str, ids: Iterable[str], *, at: datetime) -> None: ...

    def prune(self, *, older_than: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What one poll of one feed did."""

    feed: str
    outlet: str
    outcome: FeedOutcome
    entries: int = 0
    published: int = 0
    already_seen: int = 0
    duplicates_in_feed: int = 0
    dead_lettered: int = 0
    error: str | None = None
    retry_in_s: float | None = None


@dataclass(frozen=True, slots=True)
class RoundReport:
    """What one round did, feed by feed."""

    started: datetime
    duration_s: float
    feeds: list[FeedReport] = field(default_factory=list)

    def count(self, outcome: FeedOutcome) -> int:
        """Feeds of the round with this outcome."""
        return sum(1 for report in self.feeds if report.outcome == outcome)

    @property
    def published(self) -> int:
        """Articles published in the round."""
        return sum(report.published for report in self.feeds)

    @property
    def dead_lettered(self) -> int:
        """Dead letters sent in the round."""
        return sum(report.dead_lettered for report in self.feeds)


def entry_spans(document: bytes) -> list[bytes]:
    """The raw bytes of every ``<item>`` or ``<entry>`` of a feed document that can be cut out, in order: from
    an opening tag to the next closing tag of its name. One pass over the tags, so a document whose items are
    never closed costs no more than a sound one.

    >>> entry_spans(b"<rss><channel><item><title>a</title></item><item>b</item></channel></rss>")
    [b'<item><title>a</title></item>', b'<item>b</item>']
    >>> entry_spans(b"<feed><entry>a<entry>b</entry><entry>c</feed>")
    [b'<entry>a<entry>b</entry>']
    """
    spans: list[bytes] = []
    start, name = -1, b""
    for tag in _ENTRY_TAG.finditer(document):
        closing, tag_name = tag.group(1), tag.group(2)
        if not closing and start < 0:
            start, name = tag.start(), tag_name
        elif closing and start >= 0 and tag_name == name:
            spans.append(document[start : tag.end()])
            start = -1
    return spans


def entry_bytes(document: bytes, index: int) -> bytes | None:
    """The raw bytes of the ``index``-th ``<item>`` or ``<entry>`` of a feed document, if they can be cut out.

    >>> entry_bytes(b"<rss><channel><item><title>a</title></item><item>b</item></channel></rss>", 1)
    b'<item>b</item>'
    >>> entry_bytes(b"<rss/>", 0) is None
    True
    """
    spans = entry_spans(document)
    return spans[index] if 0 <= index < len(spans) else None


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _digest(payload: bytes) -> str:
    return "dl-" + hashlib.sha1(payload, usedforsecurity=False).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class _Delivery:
    published: int
    already_seen: int
    duplicates: int
    dead_lettered: int


class Poller:
    """Polls feeds into a publisher, remembering what was published in a seen-store."""

    def __init__(
        self,
        feeds: Sequence[FeedSpec],
        *,
        fetcher: Fetcher,
        publisher: ArticleSink,
        seen: SeenIds,
        backoff: Backoff,
        gate: HostGate,
        health: HealthBook | None = None,
        health_path: Path | None = None,
        metrics: ProducerMetrics | None = None,
        max_concurrency: int = 16,
        seen_retention: timedelta = timedelta(days=30),
        flush_timeout_s: float | None = None,
        clock: Callable[[], datetime] = _utcnow,
        full_text: FullText | None = None,
    ) -> None:
        self.feeds = list(feeds)
        self.health = health or HealthBook()
        self._fetcher = fetcher
        self._publisher = publisher
        self._seen = seen
        self._backoff = backoff
        self._gate = gate
        self._health_path = health_path
        self._metrics = metrics
        self._max_concurrency = max_concurrency
        self._seen_retention = seen_retention
        self._flush_timeout_s = flush_timeout_s
        self._clock = clock
        self._delivery_lock = asyncio.Lock()
        self._last_prune: datetime | None = None
        self._full_text = full_text

    async def poll_once(self, *, force: bool = False) -> RoundReport:
        """Poll every due feed (every feed if ``force``) once; save the health book; return the round."""
        started = self._clock()
        due = [feed for feed in self.feeds if force or self.health.is_due(feed.key, now=started)]
        slots = asyncio.Semaphore(self._max_concurrency)
        if self._full_text is not None:
            self._full_text.new_round()

        async def one(feed: FeedSpec) -> FeedReport:
            async with slots:
                return await self._poll_guarded(feed)

        reports = list(await asyncio.gather(*(one(feed) for feed in due)))
        await self._prune(started)
        if self._health_path is not None:
            await asyncio.to_thread(save_health, self._health_path, self.health)
        report = RoundReport(
            started=started, duration_s=(self._clock() - started).total_seconds(), feeds=reports
        )
        if self._metrics is not None:
            self._metrics.rounds.inc()
            self._metrics.round_seconds.observe(report.duration_s)
        _log.info(
            "round",
            feeds=len(due),
            published=report.published,
            not_modified=report.count("not_modified"),
            failed=report.count("fetch_failed") + report.count("unreadable"),
            deferred=report.count("deferred"),
            dead_lettered=report.dead_lettered,
            duration_s=round(report.duration_s, 3),
        )
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Poll rounds until ``stop`` is set, sleeping until the next feed is due (at most a minute)."""
        while not stop.is_set():
            await self.poll_once()
            wait = self.seconds_until_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)

    def seconds_until_due(self) -> float:
        """Seconds until the earliest feed is due, between one second and one minute."""
        due = self.health.next_due([feed.key for feed in self.feeds])
        if due is None:
            return _MIN_SLEEP_S
        seconds = (due - self._clock()).total_seconds()
        return min(_MAX_SLEEP_S, max(_MIN_SLEEP_S, seconds))

    async def _poll_guarded(self, feed: FeedSpec) -> FeedReport:
        try:
            report = await self._poll(feed)
        except Exception as crash:  # a bug must not stop the round; it is logged with its traceback
            _log.exception("feed crashed", feed=feed.key, outlet=feed.outlet)
            error = f"internal error: {type(crash).__name__}: {crash}"
            report = self._failed(feed, "fetch_failed", error, retry_after_s=None)
        if self._metrics is not None:
            self._metrics.observe_health(feed.outlet, self.health.get(feed.key), now=self._clock())
        return report

    async def _poll(self, feed: FeedSpec) -> FeedReport:
        health = self.health.get(feed.key)
        async with self._gate.slot(feed.host):
            result = await self._fetcher.fetch(
                feed.url, Validators(health.etag, health.last_modified), gate=self._gate
            )
        self._observe_fetch(feed, result)
        if result.failed:
            _log.warning("fetch failed", feed=feed.key, outcome=result.outcome, error=result.error)
            return self._failed(
                feed, "fetch_failed", f"{result.outcome}: {result.error}", result.retry_after_s
            )
        now = self._clock()
        if result.outcome == "not_modified":
            self._succeeded(feed, result, now=now, items=0)
            return FeedReport(feed=feed.key, outlet=feed.outlet, outcome="not_modified")
        try:
            parsed, problem = await asyncio.to_thread(self._parse, feed, result, now)
        except FeedParseError as exc:
            return await self._unreadable(feed, result.body, exc)
        if self._full_text is not None and self._full_text.enabled:
            parsed = await self._with_full_text(self._full_text, feed, parsed)
        try:
            async with self._delivery_lock:
                delivery = await asyncio.to_thread(self._deliver, feed, parsed, result.body, now, problem)
        except ProducerError as exc:  # Kafka or the seen-store is down: retry the same items later
            _log.error("delivery failed", feed=feed.key, error=str(exc))
            self.health.record_deferred(feed.key, now=now, error=str(exc), retry_in_s=feed.interval_s)
            return FeedReport(
                feed=feed.key,
                outlet=feed.outlet,
                outcome="deferred",
                entries=len(parsed.articles) + len(parsed.errors),
                error=str(exc),
                retry_in_s=feed.interval_s,
            )
        if not parsed.articles and parsed.malformed:  # nothing usable from broken markup: the feed is failing
            error = f"malformed document, no usable entry: {parsed.bozo}"
            return self._failed(feed, "unreadable", error, None, dead_lettered=delivery.dead_lettered)
        self._succeeded(feed, result, now=now, items=delivery.published)
        if self._metrics is not None:
            self._metrics.published.labels(outlet=feed.outlet).inc(delivery.published)
            self._metrics.already_seen.labels(outlet=feed.outlet).inc(delivery.already_seen)
            self._metrics.dead_letters.labels(outlet=feed.outlet, stage="entry").inc(delivery.dead_lettered)
        return FeedReport(
            feed=feed.key,
            outlet=feed.outlet,
            outcome="published",
            entries=len(parsed.articles) + len(parsed.errors),
            published=delivery.published,
            already_seen=delivery.already_seen,
            duplicates_in_feed=delivery.duplicates,
            dead_lettered=delivery.dead_lettered,
        )

    async def _with_full_text(self, full_text: FullText, feed: FeedSpec, parsed: ParseResult) -> ParseResult:
        """The new entries' article pages as their content (off unless the ``full_text`` setting is on)."""
        try:
            new = await asyncio.to_thread(self._seen.filter_new, feed.key, [a.id for a in parsed.articles])
        except ProducerError as exc:  # delivery will meet the same error and defer the feed
            _log.error("seen-store read failed; no full text", feed=feed.key, error=str(exc))
            return parsed
        return replace(parsed, articles=await full_text.enrich(parsed.articles, new=set(new)))

    def _parse(self, feed: FeedSpec, result: FetchResult, now: datetime) -> tuple[ParseResult, str | None]:
        """Parse the body, repairing a wrong declared charset (worker thread); see :func:`parse_document`."""
        return parse_document(
            result.body,
            feed_url=feed.url,
            outlet=feed.outlet,
            headers=result.headers,
            fetched_at=now,
            language_hint=feed.language,
        )

    def _deliver(
        self, feed: FeedSpec, parsed: ParseResult, body: bytes, now: datetime, problem: str | None
    ) -> _Delivery:
        """Publish new articles, dead-letter new bad input, flush, then mark them seen (worker thread)."""
        unique = unique_articles(parsed.articles)
        fresh = set(self._seen.filter_new(feed.key, unique))
        letters = self._bad_input(parsed, body, problem)
        fresh_letters = self._seen.filter_new(feed.key, letters)
        for article_id, article in unique.items():
            if article_id in fresh:
                self._publisher.publish(article)
        for digest in fresh_letters:
            reason, kind, payload = letters[digest]
            self._publisher.dead_letter(
                stage="parse", reason=reason, error_type=kind, payload=payload, key=None, source=feed.url
            )
        self._publisher.flush(self._flush_timeout_s)
        # Every id the feed still lists is (re)marked, so it is not pruned while it stays in the feed.
        self._seen.mark(feed.key, [*unique, *letters], at=now)
        return _Delivery(
            published=len(fresh),
            already_seen=len(unique) - len(fresh),
            duplicates=len(parsed.articles) - len(unique),
            dead_lettered=len(fresh_letters),
        )

    @staticmethod
    def _bad_input(
        parsed: ParseResult, body: bytes, problem: str | None
    ) -> dict[str, tuple[str, str, bytes]]:
        """The document's problem and each rejected entry, by digest: (reason, error type, original bytes).

        The digest identifies the bad input across polls: an entry's own bytes and reason (its position may
        shift as the feed moves), or, when its bytes cannot be cut out, its position in this exact document.
        """
        out = {_digest(body): (problem, "WrongEncodingError", body)} if problem else {}
        malformed = f"; the document is malformed: {parsed.bozo}" if parsed.bozo else ""
        spans = entry_spans(body) if parsed.errors else []  # once per document, not once per bad entry
        uncut: list[str] = []
        for error in parsed.errors:
            raw = spans[error.index] if 0 <= error.index < len(spans) else None
            where = f"entry {error.index} (guid {error.guid!r}, link {error.url!r})"
            if raw is None:  # the whole document is the original: one letter for all such entries
                uncut.append(f"{where}: {error.reason}")
                continue
            identity = error.reason.encode() + b"\0" + raw
            out[_digest(identity)] = (f"{where}: {error.reason}{malformed}", "EntryError", raw)
        if uncut:
            listed = "; ".join(uncut[:_LISTED_ENTRIES]) + ("; …" if len(uncut) > _LISTED_ENTRIES else "")
            reason = f"{len(uncut)} entries that cannot be cut out of the document: {listed}{malformed}"
            out[_digest(b"uncut\0" + "\0".join(uncut).encode() + b"\0" + body)] = (reason, "EntryError", body)
        return out

    async def _unreadable(self, feed: FeedSpec, body: bytes, exc: FeedParseError) -> FeedReport:
        """A document that yields nothing: dead-letter it (once per distinct body) and back the feed off."""
        _log.warning("feed unreadable", feed=feed.key, error=str(exc))
        dead = 0
        try:
            async with self._delivery_lock:
                dead = await asyncio.to_thread(self._dead_letter_document, feed, body, exc)
        except ProducerError as delivery:
            _log.error("dead letter failed", feed=feed.key, error=str(delivery))
        if self._metrics is not None:
            self._metrics.dead_letters.labels(outlet=feed.outlet, stage="feed").inc(dead)
        return self._failed(feed, "unreadable", str(exc), retry_after_s=None, dead_lettered=dead)

    def _dead_letter_document(self, feed: FeedSpec, body: bytes, exc: FeedParseError) -> int:
        digest = _digest(body)
        if not self._seen.filter_new(feed.key, [digest]):
            return 0
        self._publisher.dead_letter(
            stage="parse", reason=str(exc), error_type=type(exc).__name__, payload=body, source=feed.url
        )
        self._publisher.flush(self._flush_timeout_s)
        self._seen.mark(feed.key, [digest], at=self._clock())
        return 1

    def _failed(
        self,
        feed: FeedSpec,
        outcome: FeedOutcome,
        error: str,
        retry_after_s: float | None,
        *,
        dead_lettered: int = 0,
    ) -> FeedReport:
        failures = self.health.get(feed.key).consecutive_failures + 1
        delay = self._backoff.delay(failures)
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self._backoff.max_s))
        self.health.record_failure(feed.key, now=self._clock(), error=error, retry_in_s=delay)
        return FeedReport(
            feed=feed.key,
            outlet=feed.outlet,
            outcome=outcome,
            dead_lettered=dead_lettered,
            error=error,
            retry_in_s=delay,
        )

    def _succeeded(self, feed: FeedSpec, result: FetchResult, *, now: datetime, items: int) -> FeedHealth:
        return self.health.record_success(
            feed.key,
            now=now,
            items=items,
            interval_s=feed.interval_s,
            etag=result.validators.etag,
            last_modified=result.validators.last_modified,
        )

    def _observe_fetch(self, feed: FeedSpec, result: FetchResult) -> None:
        if self._metrics is not None:
            self._metrics.fetches.labels(feed=feed.key, outlet=feed.outlet, outcome=result.outcome).inc()
            self._metrics.fetch_seconds.observe(result.elapsed_s)

    async def _prune(self, now: datetime) -> None:
        if self._last_prune is not None and now - self._last_prune < _PRUNE_EVERY:
            return
        self._last_prune = now
        try:
            forgotten = await asyncio.to_thread(self._seen.prune, older_than=now - self._seen_retention)
        except ProducerError as exc:
            _log.error("seen-store prune failed", error=str(exc))
            return
        if forgotten:
            _log.info("seen-store pruned", forgotten=forgotten)

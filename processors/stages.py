"""The processing stages the Faust agents run, one message at a time. Pure: no Faust, no Kafka.

A stage takes the bytes of one message and returns a :class:`StageResult`: records to emit (to a logical
output) and table entries to write. The agents in :mod:`processors.app` only move bytes between Kafka and
these stages, so everything here is testable without services, and ``khabar eval`` runs the same code.

Every input ends in exactly one logical output or in the dead letters; a redelivered input (at-least-once,
after a worker restart) produces the same outputs again, which the idempotent sinks absorb.

State that cannot be read back (a table written by an older format, or corrupt bytes) must not stop the
pipeline: each stage's ``restore`` leaves such entries out and returns them with the reason, and the agent
logs them, counts them and deletes them (:data:`Unreadable`). The stage then works from what it could read:
the dedupe window forgets those articles, a story is reopened by its next article, a day's keyword
statistics start again.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final, Literal, TypeVar

from contracts.errors import SchemaError
from contracts.schemas import (
    ClusteredArticle,
    Duplicate,
    EnrichedArticle,
    RawArticle,
    Record,
    StoryUpdate,
    decode,
    decode_either,
    encode,
)
from contracts.topics import MAX_MESSAGE_BYTES
from processors.alerts import AlertRules, Fired
from processors.deadletters import Source, dead_letter
from processors.dedupe import Deduper, Fingerprint, Verdict
from processors.enrich import Enricher
from processors.errors import (
    AlertStateError,
    ClusterStateError,
    DedupeStateError,
    EnrichmentError,
    OversizeError,
)
from processors.lead import lead
from processors.stories import Copy, StoryClusterer
from processors.stream_time import believable

__all__ = [
    "AlertStage",
    "ClusterStage",
    "DedupeStage",
    "EnrichStage",
    "Output",
    "StageResult",
    "Unreadable",
    "fit",
    "read",
]

Output = Literal["unique", "duplicates", "enriched", "clustered", "stories", "alerts", "deadletter"]
#: Table entries a restore left out: key -> why it could not be read.
Unreadable = dict[str, str]
#: A record to emit: (output, key, record).
Emit = tuple[Output, str, Record]


@dataclass(slots=True)
class StageResult:
    """What one message produced: ``(output, key, value)`` emits and table writes (``None`` deletes)."""

    emits: list[tuple[Output, str, bytes]] = field(default_factory=list)
    writes: dict[str, bytes | None] = field(default_factory=dict)

    def emit(self, output: Output, key: str, record: Record) -> None:
        self.emits.append((output, key, encode(record)))


R = TypeVar("R", bound=Record)


def read(payload: bytes | None, expected: type[R]) -> R:
    """Decode ``payload`` as ``expected``; a missing payload is a :class:`SchemaError` too."""
    if payload is None:
        raise SchemaError(f"{expected.KIND}: the message has no value (a tombstone)")
    return decode(payload, expected)


def _poison(stage: str, error: Exception, payload: bytes | None, source: Source) -> StageResult:
    result = StageResult()
    result.emit("deadletter", source.key or "", dead_letter(stage, error, payload, source))
    return result


def fit(result: StageResult, stage: str, payload: bytes | None, source: Source) -> StageResult:
    """``result``, or when one of its records is over :data:`MAX_MESSAGE_BYTES` (Kafka would refuse it and
    stop the agent) a dead letter of the input instead; the table writes stand, as the stage decided them.

    >>> big = StageResult([("enriched", "k", b"x" * (MAX_MESSAGE_BYTES + 1))], {"w": b"1"})
    >>> fitted = fit(big, "enrich", b"{}", Source("articles.unique", 0, 5, "k"))
    >>> [output for output, _, _ in fitted.emits], fitted.writes
    (['deadletter'], {'w': b'1'})
    """
    sizes = {output: len(value) for output, _, value in result.emits if len(value) > MAX_MESSAGE_BYTES}
    if not sizes:
        return result
    error = OversizeError(
        "; ".join(f"its {output} record is {size} bytes" for output, size in sizes.items())
        + f", over the {MAX_MESSAGE_BYTES}-byte Kafka message limit "
        "(lower KHABAR_PROCESSORS__MAX_ARTICLE_BYTES)"
    )
    letter = _poison(stage, error, payload, source)
    letter.writes = result.writes
    return letter


# ------------------------------------------------------------------------------------------------- dedupe

#: Table entry of the dedupe window: a binary verdict header, then the fingerprint's own bytes. The header is
#: the format byte, the method code (0: unique), and for a duplicate the original's id (length, ASCII) and
#: the similarity (float64, so a restore is exact). 2 bytes for a unique article, 27 for a copy. Entries of
#: format 1 (a JSON header line, sessions 1 to 4) are still read.
_ENTRY_FORMAT: Final = 2
_METHOD_CODES: Final[dict[str | None, int]] = {None: 0, "id": 1, "url": 2, "text_hash": 3, "minhash": 4}
_METHOD_NAMES: Final = {code: name for name, code in _METHOD_CODES.items()}
_SIMILARITY: Final = struct.Struct("<d")
#: What reading a damaged entry can raise (truncated bytes, a time out of range, a foreign format).
_UNREADABLE: Final = (
    DedupeStateError, ValueError, KeyError, TypeError, IndexError, OverflowError, struct.error,
)  # fmt: skip


def _pack(verdict: Verdict) -> bytes:
    head = bytes([_ENTRY_FORMAT, _METHOD_CODES[verdict.method]])
    if verdict.method is not None and verdict.original is not None:
        original = verdict.original.article_id.encode("ascii")
        head += bytes([len(original)]) + original + _SIMILARITY.pack(verdict.similarity)
    return head + verdict.fingerprint.to_bytes()


def _unpack(entry: bytes) -> tuple[Fingerprint, str | None, float, str | None]:
    if entry[:1] == b"{":  # format 1: {"d": original, "s": similarity, "m": method} and a newline
        head, _, body = entry.partition(b"\n")
        meta = json.loads(head)
        return Fingerprint.from_bytes(body), meta["d"], float(meta["s"]), meta["m"]
    if entry[:1] != bytes([_ENTRY_FORMAT]) or len(entry) < 2 or entry[1] not in _METHOD_NAMES:
        raise DedupeStateError(f"dedupe entry of an unknown format: {entry[:8]!r}")
    method, position = _METHOD_NAMES[entry[1]], 2
    if method is None:
        return Fingerprint.from_bytes(entry[position:]), None, 0.0, None
    end = position + 1 + entry[position]
    original = entry[position + 1 : end].decode("ascii")
    (similarity,) = _SIMILARITY.unpack_from(entry, end)
    return Fingerprint.from_bytes(entry[end + _SIMILARITY.size :]), original, similarity, method


class DedupeStage:
    """Exact and near-duplicate detection over one global window (one partition, see docs/architecture.md).

    Unique articles go to ``unique`` (for enrichment), duplicates to ``duplicates`` as a ``duplicate_of``
    relation. The window's entries are the table: one per article id, deleted when the article expires.
    """

    name: Final = "dedupe"

    def __init__(self, deduper: Deduper, *, expire_every: int = 256) -> None:
        self._deduper = deduper
        self._expire_every = expire_every
        self._seen = 0
        self._clock: datetime | None = None

    def __len__(self) -> int:
        return len(self._deduper)

    def restore(self, entries: Mapping[str, bytes]) -> Unreadable:
        """Rebuild the window from table entries: originals first, then duplicates, in publish order."""
        readable: list[tuple[str, tuple[Fingerprint, str | None, float, str | None]]] = []
        unreadable: Unreadable = {}
        for key, entry in entries.items():
            try:
                readable.append((key, _unpack(entry)))
            except _UNREADABLE as exc:  # a truncated or foreign entry: left out and reported, never a crash
                unreadable[key] = f"{type(exc).__name__}: {exc}"
        readable.sort(key=lambda kv: (kv[1][1] is not None, kv[1][0].published, kv[1][0].article_id))
        for key, (fingerprint, original, similarity, method) in readable:
            if original is not None and original not in self._deduper:  # originals come first
                unreadable[key] = f"its original {original} was left out"
            elif fingerprint.article_id not in self._deduper:
                try:
                    self._deduper.add(
                        fingerprint, duplicate_of=original, similarity=similarity, method=method
                    )
                except _UNREADABLE as exc:  # a format-1 entry naming a method this code does not know
                    unreadable[key] = f"{type(exc).__name__}: {exc}"
        return unreadable

    def process(self, payload: bytes | None, source: Source, *, now: datetime | None = None) -> StageResult:
        try:
            read_as = read(payload, RawArticle)
        except SchemaError as exc:
            return _poison(self.name, exc, payload, source)
        # Every article passes here first: a publish time in the future must not move the stream clocks.
        article = believable(read_as, now=now or datetime.now(UTC))
        forward = payload if article is read_as else encode(article)
        result = StageResult()
        # One article's failure must not stop the stream; all is decided before the window changes.
        try:
            verdict = self._deduper.check(self._deduper.fingerprint(article))
            if not verdict.redelivery:
                result.writes[article.id] = _pack(verdict)
            if verdict.is_duplicate and verdict.original is not None:
                result.emit("duplicates", article.id, _relation(article, verdict.original, verdict, now))
            else:
                assert forward is not None
                result.emits.append(("unique", article.id, forward))
            self._deduper.remember(verdict)
        except Exception as exc:  # dead-lettered with the bytes as they came
            return _poison(self.name, exc, payload, source)
        self._advance(article.published, result)
        return result

    def _advance(self, published: datetime, result: StageResult) -> None:
        # The window follows stream time (the newest publish time seen): a replay of 2015 expires like 2015.
        self._clock = published if self._clock is None else max(self._clock, published)
        self._seen += 1
        if self._seen % self._expire_every == 0:
            for article_id in self._deduper.expire(self._clock):
                result.writes[article_id] = None


def _relation(
    article: RawArticle, original: Fingerprint, verdict: Verdict, now: datetime | None
) -> Duplicate:
    return Duplicate(
        article_id=article.id,
        duplicate_of=original.article_id,
        outlet=article.outlet,
        original_outlet=original.outlet,
        url=article.url,
        similarity=min(1.0, max(0.0, verdict.similarity)),
        method=verdict.method or "minhash",
        detected_at=now or datetime.now(UTC),
        published=article.published,
        title=article.title,
        lead=lead(article.content or article.summary),
    )


# ------------------------------------------------------------------------------------------------- enrich


class EnrichStage:
    """Enrichment of unique articles; partitioned by article id, so it scales with the partitions.

    Document frequencies are a statistic of this partition's share of the stream (a uniform sample, since
    keys are hashed). They are written to the table one entry per day (``<prefix><YYYY-MM-DD>``), every
    ``snapshot_every`` articles for the days that changed, and deleted when their day leaves the window: a
    whole 7-day snapshot would come close to Kafka's 1 MB message limit.
    """

    name: Final = "enrich"

    def __init__(self, enricher: Enricher, *, snapshot_prefix: str, snapshot_every: int = 500) -> None:
        self._enricher = enricher
        self._prefix = snapshot_prefix
        self._every = snapshot_every
        self._count = 0
        self._touched: set[date] = set()
        self._stored: set[date] = set()

    def restore(self, entries: Mapping[str, bytes]) -> Unreadable:
        """Merge this partition's per-day document frequencies from the table's entries."""
        frequencies, unreadable = self._enricher.document_frequency, Unreadable()
        for key, value in sorted(entries.items()):
            if key.startswith(self._prefix) and value:
                try:
                    day = date.fromisoformat(key.removeprefix(self._prefix))
                    frequencies.merge(type(frequencies).from_bytes(value))
                except (EnrichmentError, ValueError) as exc:
                    unreadable[key] = f"{type(exc).__name__}: {exc}"
                    continue
                self._stored.add(day)
        return unreadable

    def process(self, payload: bytes | None, source: Source) -> StageResult:
        try:
            article = read(payload, RawArticle)
        except SchemaError as exc:
            return _poison(self.name, exc, payload, source)
        try:
            enriched = self._enricher.enrich(article)
        except Exception as exc:  # one article's failure must not stop the stream
            return _poison(self.name, exc, payload, source)
        result = StageResult()
        result.emit("enriched", article.id, enriched)
        self._touched.add(article.published.date())
        self._count += 1
        if self._count % self._every == 0:
            result.writes.update(self.snapshot())
        return result

    def snapshot(self) -> dict[str, bytes | None]:
        """Table writes for the days changed since the last snapshot, and deletes for expired days."""
        days = self._enricher.document_frequency.split_days()
        writes: dict[str, bytes | None] = {
            f"{self._prefix}{day.isoformat()}": days[day].to_bytes()
            for day in sorted(self._touched & set(days))
        }
        for day in sorted(self._stored - set(days)):
            writes[f"{self._prefix}{day.isoformat()}"] = None
        self._stored = (self._stored | self._touched) & set(days)
        self._touched.clear()
        return writes


# ------------------------------------------------------------------------------------------------ stories


class ClusterStage:
    """Online story clustering over one global set of active stories (one partition).

    It reads enriched articles and dedupe's ``duplicate_of`` relations, which reach its partition by another
    path: a wire copy counts in its original's story, or waits for it (:meth:`StoryClusterer.add_copy`).
    """

    name: Final = "cluster"

    def __init__(self, clusterer: StoryClusterer) -> None:
        self._clusterer = clusterer
        self._dropped = 0

    def __len__(self) -> int:
        return len(self._clusterer)

    def restore(self, entries: Mapping[str, bytes]) -> Unreadable:
        """Rebuild the active stories and assignments from the table's entries."""
        unreadable: Unreadable = {}

        def leave_out(key: str, exc: ClusterStateError) -> None:
            unreadable[key] = f"{type(exc).__name__}: {exc}"

        self._clusterer.restore(entries, on_unreadable=leave_out)
        return unreadable

    def process(self, payload: bytes | None, source: Source) -> StageResult:
        try:
            if payload is None:
                raise SchemaError("enriched_article or duplicate: the message has no value (a tombstone)")
            record = decode_either(payload, EnrichedArticle, Duplicate)
            if isinstance(record, Duplicate) and record.published is None and self._clusterer.clock is None:
                raise SchemaError(
                    f"duplicate {record.article_id}: no publish time (written before khabar 0.7) and no "
                    "stream time yet to count it at"
                )
        except SchemaError as exc:
            return _poison(self.name, exc, payload, source)
        if isinstance(record, Duplicate):
            published = record.published or self._clusterer.clock
            assert published is not None
            copy = Copy(
                record.article_id, record.duplicate_of, record.outlet, published, record.title, record.lead
            )
            return self._step(published, lambda: self._count(copy), payload, source)
        article = record
        assert isinstance(article, EnrichedArticle)
        return self._step(article.published, lambda: self._assign(article), payload, source)

    def _step(
        self, published: datetime, place: Callable[[], list[Emit]], payload: bytes | None, source: Source
    ) -> StageResult:
        result = StageResult()
        # Stream time moves first, so that stories idle past the window close before the article is scored,
        # at the same articles whether or not the worker restarted in between (the clock is state).
        for update in self._clusterer.advance(published):
            result.emit("stories", update.story_id, update)
        try:
            emits = place()
        except Exception as exc:  # one article's failure must not stop the stream
            result.emits += _poison(self.name, exc, payload, source).emits
        else:
            for output, key, record in emits:
                result.emit(output, key, record)
        self._dropped += len(self._clusterer.take_dropped_copies())
        result.writes.update(self._clusterer.drain_changes())
        return result

    def _assign(self, article: EnrichedArticle) -> list[Emit]:
        assignment = self._clusterer.assign(article)
        clustered = ClusteredArticle(
            article=article, story_id=assignment.story_id, story_version=assignment.story_version
        )
        return [
            ("clustered", article.id, clustered),
            *(("stories", u.story_id, u) for u in assignment.updates),
        ]

    def _count(self, copy: Copy) -> list[Emit]:
        joined = self._clusterer.add_copy(copy)  # None: it waits for its original
        return [("stories", u.story_id, u) for u in (joined.updates if joined is not None else [])]

    def take_dropped_copies(self) -> int:
        """How many waiting copies were dropped since the last call: their original was not clustered
        within the story window (dead-lettered in enrich, or older than the window)."""
        dropped, self._dropped = self._dropped, 0
        return dropped


# ------------------------------------------------------------------------------------------------- alerts


class AlertStage:
    """The alert rules over story updates; partitioned by story id, as ``stories.updates`` is.

    Its table holds, per active story, what already fired (:class:`~processors.alerts.Fired`); the entry is
    written before the next update of that story is read and deleted when the story closes or is merged.
    """

    name: Final = "alerts"

    def __init__(self, rules: AlertRules) -> None:
        self._rules = rules
        self._fired: dict[str, Fired] = {}

    def __len__(self) -> int:
        return len(self._fired)

    def restore(self, entries: Mapping[str, bytes]) -> Unreadable:
        """Read what fired per story from the table's entries."""
        unreadable: Unreadable = {}
        for key, value in entries.items():
            try:
                self._fired[key] = Fired.from_bytes(value)
            except AlertStateError as exc:
                unreadable[key] = f"{type(exc).__name__}: {exc}"
        return unreadable

    def process(self, payload: bytes | None, source: Source) -> StageResult:
        try:
            update = read(payload, StoryUpdate)
        except SchemaError as exc:
            return _poison(self.name, exc, payload, source)
        result = StageResult()
        story = update.story_id
        if update.status != "active":
            if self._fired.pop(story, None) is not None:
                result.writes[story] = None
            return result
        alerts, fired = self._rules.evaluate(update, self._fired.get(story, Fired()))
        for alert in alerts:
            result.emit("alerts", story, alert)
        if alerts:
            self._fired[story] = fired
            result.writes[story] = fired.to_bytes()
        return result

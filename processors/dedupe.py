"""Exact and near-duplicate detection of articles within a time window. Pure: no Kafka, no Faust.

A *duplicate* is a copy of one text: a wire item (SPA, Reuters) reprinted by several outlets, or one article
reached twice. Two outlets' own reports of one event are the same story, but not duplicates.

Checks, in order (the first that matches decides):

1. ``id``: the article id is already remembered. One id is one article (it is the Elasticsearch ``_id``):
   the message is that article delivered again (at-least-once, or re-published with a corrected link), and
   the verdict is the one given the first time, with ``redelivery=True``. It is never called a duplicate of
   itself, and its table entry is not rewritten.
2. ``url``: another remembered article has the same canonical URL.
3. ``text_hash``: another has the same normalised body (:func:`processors.arabic.normalize_for_matching`,
   tokens joined by one space).
4. ``minhash``: the Jaccard of word 5-gram shingles (bottom-k sketches, exact for bodies of up to
   ``sketch_size`` shingles: :mod:`processors.minhash`) with the *root original it will point to* is at
   least ``threshold``; roots are reached through LSH candidates (docs/dedupe.md, "Choosing the original").

The body is ``content`` (``summary`` when there is no content); titles are left out, since outlets retitle
wire copies. **Short texts**: a body of fewer than :data:`MIN_TOKENS` words (empty, title-only items, a
photo caption, an author's name scraped as content) gets no text hash and no signature, so it can only be a
redelivery or a duplicate by URL: two short items that share a few words are not called copies.

The first article seen is the original; a duplicate of a duplicate points to the root original. Matches
are limited to articles published within ``window`` of each other; :meth:`Deduper.expire` drops articles
whose publish time left the window (an original is kept, unmatchable, while a remembered duplicate still
points to it, so that a redelivered duplicate gets the same verdict).

>>> from datetime import UTC, datetime
>>> from contracts.schemas import RawArticle
>>> body = " ".join(f"كلمة{i}" for i in range(40))
>>> def article(i: int, url: str) -> RawArticle:
...     when = datetime(2015, 8, 8, 10, i, tzinfo=UTC)
...     return RawArticle(id=f"{i:016x}", url=url, canonical_url=url, outlet=f"outlet{i}", title="t",
...                       content=body, published=when, fetched_at=when)
>>> deduper = Deduper()
>>> deduper.observe(article(1, "https://a.example/1")).is_duplicate
False
>>> verdict = deduper.observe(article(2, "https://b.example/2"))
>>> verdict.method, verdict.original.article_id, verdict.similarity
('text_hash', '0000000000000001', 1.0)
>>> deduper.observe(article(2, "https://b.example/2")).redelivery
True
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal, cast

from contracts.schemas import RawArticle

from ._textcore import BodySketcher
from .arabic import normalize_many, normalizer
from .batch_cache import BatchCache
from .errors import DedupeStateError
from .fingerprint import Fingerprint
from .minhash import SKETCH_SIZE, BandIndex, MinHasher, similarity

__all__ = [
    "DEFAULT_NUM_PERM",
    "DEFAULT_THRESHOLD",
    "MIN_TOKENS",
    "Deduper",
    "Fingerprint",
    "Verdict",
    "lsh_params",
]

Method = Literal["id", "url", "text_hash", "minhash"]

#: Bodies with fewer words get no text hash and no sketch (see the module docstring).
MIN_TOKENS: Final = 15
#: Jaccard of word 5-gram shingles with the root original from which a body is a copy (docs/dedupe.md).
DEFAULT_THRESHOLD: Final = 0.5
#: Permutations of the MinHash signature that feeds the LSH band keys (computed from the sketch, not stored).
DEFAULT_NUM_PERM: Final = 128
#: LSH must propose a pair at the threshold with at least this probability (see :func:`lsh_params`).
LSH_RECALL: Final = 0.99
_SEED: Final = 20150808
_METHODS: Final[tuple[Method, ...]] = ("id", "url", "text_hash", "minhash")
_WORD_RE: Final = re.compile(r"[^\W_]+")  # processors.arabic.tokenize's words, on already normalised text
_SHINGLE_WORD_RE: Final = re.compile(r"[\u0621-\u064a0-9]+")  # Arabic letters and digits only
_CHUNK_CACHE_SIZE: Final = 1 << 18
#: a chunk's normalised words joined by a space, their number, its shingle words' hashes and their number
_ChunkWords = tuple[str, int, bytes, int]


def lsh_params(threshold: float, num_perm: int, *, recall: float = LSH_RECALL) -> tuple[int, int]:
    """``(bands, rows)``: the most rows per band (fewest candidates, fewest bands) such that a pair with
    Jaccard ``threshold`` shares a band with probability ``>= recall``; one row per band at worst.

    >>> lsh_params(0.5, 128), lsh_params(0.8, 128), lsh_params(0.5, 64)
    ((42, 3), (21, 6), (32, 2))
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            best = (bands, rows)
    return best


# ------------------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of :meth:`Deduper.check`: the article's fingerprint and, for a duplicate, its original."""

    fingerprint: Fingerprint
    original: Fingerprint | None
    similarity: float
    method: Method | None
    redelivery: bool = False

    @property
    def is_duplicate(self) -> bool:
        """Whether the article copies a remembered original."""
        return self.original is not None


@dataclass(slots=True, eq=False)
class _Entry:
    fingerprint: Fingerprint
    original_id: str | None  # the root original, for a duplicate
    similarity: float
    method: Method | None
    slot: int = -1  # LSH slot, -1 when not indexed
    matchable: bool = True
    refs: int = 0  # remembered duplicates pointing here (originals only)
    seq: int = field(default=0)


# ------------------------------------------------------------------------------------------ deduper


class Deduper:
    """Remembers the articles of a sliding window and tells copies from originals (see the module doc)."""

    def __init__(
        self,
        *,
        window: timedelta = timedelta(days=7),
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        shingle_size: int = 5,
        sketch_size: int = SKETCH_SIZE,
        hashfunc: Callable[[bytes], int] | None = None,
    ) -> None:
        if window <= timedelta(0):
            raise ValueError(f"window must be positive, got {window}")
        if shingle_size < 1:
            raise ValueError(f"shingle_size must be >= 1, got {shingle_size}")
        bands, rows = lsh_params(threshold, num_perm)
        self.window = window
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.sketch_size = sketch_size
        self._last_minhash: tuple[bytes, bytes] = (b"", b"")
        self._hasher = MinHasher(num_perm=num_perm, seed=_SEED, hashfunc=hashfunc)
        self._lsh = BandIndex(bands=bands, rows=rows, seed=_SEED)
        self._entries: dict[str, _Entry] = {}
        self._by_slot: dict[int, _Entry] = {}
        self._by_url: dict[str, _Entry] = {}
        self._by_text: dict[str, _Entry] = {}
        self._orphan_refs: dict[str, int] = {}
        self._heap: list[tuple[datetime, int, str]] = []
        self._seq = 0
        # With the default word hash, bodies are fingerprinted natively (processors/native/src/sketch.rs);
        # an injected ``hashfunc`` takes the Python path below, which the native one is tested against.
        self._sketcher = (
            None
            if hashfunc is not None
            else BodySketcher(
                normalizer(fold_teh_marbuta=True), shingle_size=shingle_size, k=sketch_size,
                min_tokens=MIN_TOKENS,
            )
        )  # fmt: skip
        # chunk of body text -> its normalised words and shingle words (a cache: only saves time)
        self._chunk_words = BatchCache(self._words_of_chunks, capacity=_CHUNK_CACHE_SIZE)

    # ----------------------------------------------------------------------------------- fingerprint

    def fingerprint(self, article: RawArticle) -> Fingerprint:
        """The article's fingerprint: body text hash and signature (none for a short body)."""
        body = article.content or article.summary
        if self._sketcher is not None:
            text_hash, signature = self._sketcher.fingerprint(body)
        else:
            text_hash, signature = self._body_fingerprint(body)
        return Fingerprint(
            article_id=article.id,
            outlet=article.outlet,
            url=article.url,
            canonical_url=article.canonical_url,
            published=article.published,
            text_hash=text_hash,
            signature=signature,
        )

    def _body_fingerprint(self, body: str) -> tuple[str, bytes]:
        """``(text_hash, signature)`` of a body, in Python (for an injected ``hashfunc``)."""
        text, words, arabic_hashes, arabic = self._body_words(body)
        text_hash, signature = "", b""
        if words >= MIN_TOKENS:
            text_hash = hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
            if arabic >= MIN_TOKENS:
                signature = self._hasher.sketch_hashes(
                    arabic_hashes, shingle_size=self.shingle_size, k=self.sketch_size
                )
        return text_hash, signature

    def _body_words(self, body: str) -> tuple[str, int, bytes, int]:
        """Of ``normalize_for_matching(body)``: its words (``[^\\W_]+``) joined by one space and their
        number, and the :meth:`MinHasher.word_hashes` of its Arabic shingle words and their number.

        Normalisation acts within whitespace-separated chunks, so each distinct chunk is normalised once
        (new ones in one batch) and what it gives is cached: an article is then one lookup per chunk.
        """
        found = self._chunk_words.get_many(body.split())
        if not found:
            return "", 0, b"", 0
        texts, counts, hashes, arabic_counts = zip(*found, strict=True)
        return " ".join(filter(None, texts)), sum(counts), b"".join(hashes), sum(arabic_counts)

    def _words_of_chunks(self, chunks: list[str]) -> list[_ChunkWords]:
        norms = normalize_many(chunks, fold_teh_marbuta=True)
        words = list(map(_WORD_RE.findall, norms))
        arabic = list(map(_SHINGLE_WORD_RE.findall, norms))
        pieces = map(self._hasher.word_hashes, arabic)
        return list(zip(map(" ".join, words), map(len, words), pieces, map(len, arabic), strict=True))

    # ------------------------------------------------------------------------------------------ check

    def check(self, fingerprint: Fingerprint) -> Verdict:
        """Whether ``fingerprint`` copies a remembered article; does not change the state."""
        known = self._entries.get(fingerprint.article_id)
        if known is not None:  # one id is one article: a second message with it gets the first verdict
            return self._replay(fingerprint, known)
        for method, index, key in (
            ("url", self._by_url, fingerprint.canonical_url),
            ("text_hash", self._by_text, fingerprint.text_hash),
        ):
            match = index.get(key) if key else None
            if match is not None and self._near(match, fingerprint):
                return Verdict(fingerprint, self._root(match).fingerprint, 1.0, cast(Method, method))
        if fingerprint.signature:
            root, score = self._closest(fingerprint)
            if root is not None:
                return Verdict(fingerprint, root.fingerprint, score, "minhash")
        return Verdict(fingerprint, None, 0.0, None)

    def _replay(self, fingerprint: Fingerprint, known: _Entry) -> Verdict:
        original = self._root(known).fingerprint if known.original_id is not None else None
        return Verdict(fingerprint, original, known.similarity, known.method, redelivery=True)

    def _root(self, entry: _Entry) -> _Entry:
        if entry.original_id is None:
            return entry
        root = self._entries.get(entry.original_id)
        if root is None:
            raise DedupeStateError(
                f"article {entry.fingerprint.article_id} is remembered as a duplicate of "
                f"{entry.original_id}, which is not in the window state; add the original's fingerprint "
                "before checking (restore every row of the dedupe table first)"
            )
        return root

    def _minhash(self, sketch: bytes) -> bytes:
        """The LSH signature of a sketch; the last one is cached (check, then add, of one article)."""
        if self._last_minhash[0] != sketch:
            self._last_minhash = (sketch, self._hasher.minhash(sketch))
        return self._last_minhash[1]

    def _near(self, entry: _Entry, fingerprint: Fingerprint) -> bool:
        return entry.matchable and abs(entry.fingerprint.published - fingerprint.published) <= self.window

    def _closest(self, fingerprint: Fingerprint) -> tuple[_Entry | None, float]:
        """The root original to point to, and the Jaccard with it (docs/dedupe.md, "Choosing the
        original"): LSH candidates in the window lead to their roots; a root qualifies when its own sketch
        is at least ``threshold`` similar; among qualifying roots, the one with the most candidate members
        that also pass wins, then the most similar, then the earliest."""
        roots: dict[int, _Entry] = {}
        support: dict[int, int] = {}
        for slot in self._lsh.query(self._minhash(fingerprint.signature)):
            member = self._by_slot[slot]
            if not self._near(member, fingerprint):
                continue
            root = self._root(member)  # may have left the window: held while its duplicates are live
            roots[root.seq] = root
            if member is not root and self._passes(member, fingerprint):
                support[root.seq] = support.get(root.seq, 0) + 1
        best: _Entry | None = None
        best_key = (-1, -1.0)
        for seq in sorted(roots):  # ascending: ties keep the earliest root, deterministically
            root = roots[seq]
            if not root.fingerprint.signature:
                continue
            value = self._similarity(root, fingerprint)
            if value >= self.threshold and (support.get(seq, 0), value) > best_key:
                best, best_key = root, (support.get(seq, 0), value)
        return best, best_key[1]

    def _similarity(self, entry: _Entry, fingerprint: Fingerprint) -> float:
        return similarity(entry.fingerprint.signature, fingerprint.signature, k=self.sketch_size)

    def _passes(self, entry: _Entry, fingerprint: Fingerprint) -> bool:
        return self._similarity(entry, fingerprint) >= self.threshold

    # -------------------------------------------------------------------------------------- remember

    def add(
        self,
        fingerprint: Fingerprint,
        *,
        duplicate_of: str | None = None,
        similarity: float = 1.0,
        method: str | None = None,
    ) -> None:
        """Remember an article (an original, or a duplicate of ``duplicate_of`` found by ``method``).

        Also restores state after a restart, in any order: a duplicate may be added before its original.
        Adding a remembered id again changes nothing.
        """
        if fingerprint.article_id in self._entries:
            return
        if duplicate_of is None:
            entry = _Entry(fingerprint, None, 0.0, None)
        else:
            if method not in _METHODS:
                raise DedupeStateError(
                    f"article {fingerprint.article_id}: duplicate method {method!r} is not one of {_METHODS}"
                )
            if duplicate_of == fingerprint.article_id:
                raise DedupeStateError(f"article {duplicate_of} cannot be a duplicate of itself")
            root = self._entries.get(duplicate_of)
            root_id = duplicate_of if root is None or root.original_id is None else root.original_id
            entry = _Entry(fingerprint, root_id, similarity, method)
        self._remember(entry)

    def _remember(self, entry: _Entry) -> None:
        fp = entry.fingerprint
        self._seq += 1
        entry.seq = self._seq
        self._entries[fp.article_id] = entry
        entry.refs = self._orphan_refs.pop(fp.article_id, 0)
        if entry.original_id is not None:
            root = self._entries.get(entry.original_id)
            if root is not None:
                root.refs += 1
            else:  # restoring: the original comes later
                self._orphan_refs[entry.original_id] = self._orphan_refs.get(entry.original_id, 0) + 1
        self._by_url.setdefault(fp.canonical_url, entry)
        if fp.text_hash:
            self._by_text.setdefault(fp.text_hash, entry)
        if fp.signature:
            if len(fp.signature) > 2 * self.sketch_size:
                raise DedupeStateError(
                    f"article {fp.article_id}: sketch has {len(fp.signature) // 2} hashes, this deduper "
                    f"keeps sketch_size={self.sketch_size}; rebuild the dedupe table or set the same size"
                )
            entry.slot = self._seq
            self._by_slot[entry.slot] = entry
            self._lsh.add(entry.slot, self._minhash(fp.signature))
        heapq.heappush(self._heap, (fp.published, self._seq, fp.article_id))

    def observe(self, article: RawArticle) -> Verdict:
        """Fingerprint, check and remember ``article``; a redelivery changes nothing."""
        return self.remember(self.check(self.fingerprint(article)))

    def remember(self, verdict: Verdict) -> Verdict:
        """Add the checked article of ``verdict`` to the window (nothing for a redelivery); return it."""
        if not verdict.redelivery:
            original = verdict.original.article_id if verdict.original is not None else None
            self.add(verdict.fingerprint, duplicate_of=original, similarity=verdict.similarity,
                     method=verdict.method)  # fmt: skip
        return verdict

    # ---------------------------------------------------------------------------------------- expire

    def expire(self, now: datetime) -> list[str]:
        """Forget articles published before ``now - window``; return their ids, oldest first.

        An original that a remembered duplicate points to stops matching but is kept (and returned later,
        when its last duplicate goes), so a redelivered duplicate still gets its first verdict.
        """
        horizon = now - self.window
        gone: list[str] = []
        while self._heap and self._heap[0][0] < horizon:
            _, seq, article_id = heapq.heappop(self._heap)
            entry = self._entries.get(article_id)
            if entry is None or entry.seq != seq:
                continue
            self._unindex(entry)
            if entry.refs == 0:
                self._forget(entry, gone)
        return gone

    def _unindex(self, entry: _Entry) -> None:
        entry.matchable = False
        fp = entry.fingerprint
        if self._by_url.get(fp.canonical_url) is entry:
            del self._by_url[fp.canonical_url]
        if fp.text_hash and self._by_text.get(fp.text_hash) is entry:
            del self._by_text[fp.text_hash]
        if entry.slot >= 0:
            self._lsh.remove(entry.slot)
            del self._by_slot[entry.slot]
            entry.slot = -1

    def _forget(self, entry: _Entry, gone: list[str]) -> None:
        del self._entries[entry.fingerprint.article_id]
        gone.append(entry.fingerprint.article_id)
        if entry.original_id is None:
            return
        root = self._entries.get(entry.original_id)
        if root is None:
            left = self._orphan_refs.pop(entry.original_id, 0) - 1
            if left > 0:
                self._orphan_refs[entry.original_id] = left
        else:
            root.refs -= 1
            if root.refs == 0 and not root.matchable:
                self._forget(root, gone)

    # ---------------------------------------------------------------------------------------- sizing

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    @property
    def index_nbytes(self) -> int:
        """Bytes of the LSH band index arrays (for the window-state benchmark)."""
        return self._lsh.nbytes

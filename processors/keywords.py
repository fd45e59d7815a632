"""Keywords (pure): rolling document frequencies and TF-IDF top terms with readable surface forms.

Terms are Snowball stems of normalised, non-stop-word tokens (:mod:`processors.arabic`); each keyword is
shown as the most frequent *surface* form of its stem in the article (tashkeel and tatweel removed, hamza
kept), so «الأسد» comes out, not the stem اسد.

>>> df = DocumentFrequency()
>>> counts = count_terms([("المعارضة السورية تتقدم نحو حماة والمعارضة تسيطر", 1)])
>>> df.add(counts.counts, day=date(2015, 8, 8))
>>> top_keywords(counts, df, k=2)
['المعارضة', 'تتقدم']
"""

from __future__ import annotations

import json
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from ._textcore import top_keywords as native_top_keywords
from .analyzed_text import AnalyzedText
from .errors import EnrichmentError

__all__ = ["DocumentFrequency", "TermCounts", "count_terms", "count_words", "top_keywords"]

_FORMAT: Final = 1
_REPEAT_WEIGHT: Final = 4


@dataclass(frozen=True, slots=True)
class TermCounts:
    """Weighted term counts of one document and the surface forms seen for each term.

    >>> title, body = [("اسد", "الأسد")], [("اسد", "الأسد"), ("اسد", "والأسد")]
    >>> TermCounts(Counter({"اسد": 3}), [(title, 1), (body, 1)]).surfaces
    {'اسد': Counter({'الأسد': 2, 'والأسد': 1})}
    """

    counts: Counter[str] = field(default_factory=Counter)
    #: The ``(term, surface form)`` occurrences, in lists each with its weight. They are not added up here:
    #: :func:`top_keywords` counts the forms of the terms it chooses only.
    keywords: list[tuple[list[tuple[str, str]], int]] = field(default_factory=list)

    @property
    def forms(self) -> Counter[tuple[str, str]]:
        """Weighted counts of ``(term, surface form)``."""
        out: Counter[tuple[str, str]] = Counter()
        for keys, weight in self.keywords:
            for key in keys:
                out[key] += weight
        return out

    @property
    def surfaces(self) -> dict[str, Counter[str]]:
        """The surface forms of each term with their weighted counts."""
        out: dict[str, Counter[str]] = {}
        for (term, surface), n in self.forms.items():
            out.setdefault(term, Counter())[surface] += n
        return out


def count_terms(parts: Iterable[tuple[str, int]]) -> TermCounts:
    """Count the terms of ``(text, weight)`` parts (e.g. the title with weight 2, the body with 1).

    >>> c = count_terms([("الأسد", 2), ("والأسد في دمشق", 1)])
    >>> dict(c.counts), dict(c.surfaces["اسد"])
    ({'اسد': 3, 'دمشق': 1}, {'الأسد': 2, 'والأسد': 1})
    """
    return count_words((AnalyzedText.of(text), weight) for text, weight in parts)


def count_words(parts: Iterable[tuple[AnalyzedText, int]]) -> TermCounts:
    """:func:`count_terms` of texts already analysed (the enricher analyses each article once).

    >>> count_words([(AnalyzedText.of("الأسد"), 2)]).counts
    Counter({'اسد': 2})
    """
    out = TermCounts()
    for analysed, weight in parts:
        terms = analysed.terms
        if 1 <= weight <= _REPEAT_WEIGHT:  # Counter.update counts in C: repeat the list for a small weight
            out.counts.update(terms * weight)
        else:
            for term in terms:
                out.counts[term] += weight
        out.keywords.append((analysed.keywords, weight))
    return out


class DocumentFrequency:
    """How many documents contain each term, per day, over a rolling window of ``window_days``.

    Adding a document of a newer day forgets the days that fall out of the window; :meth:`expire` forgets
    explicitly. A document older than the window is not counted (it would be expired at once).

    >>> df = DocumentFrequency(window_days=2)
    >>> df.add(["دمشق", "حلب"], day=date(2015, 8, 7))
    >>> df.add(["دمشق"], day=date(2015, 8, 8))
    >>> df.documents, round(df.idf("دمشق"), 3), round(df.idf("حلب"), 3)
    (2, 1.0, 1.405)
    >>> df.add(["حلب"], day=date(2015, 8, 9))
    >>> df.documents
    2
    >>> DocumentFrequency.from_bytes(df.to_bytes()).idf("حلب") == df.idf("حلب")
    True
    """

    def __init__(self, *, window_days: int = 7) -> None:
        if window_days < 1:
            raise EnrichmentError(f"window_days must be >= 1, got {window_days}")
        self.window_days = window_days
        self._days: dict[date, Counter[str]] = {}
        self._day_docs: Counter[date] = Counter()
        self._totals: Counter[str] = Counter()
        self._documents = 0

    @property
    def documents(self) -> int:
        """Documents counted in the window."""
        return self._documents

    @property
    def days(self) -> list[date]:
        """The days held, oldest first."""
        return sorted(self._days)

    def add(self, terms: Iterable[str], *, day: date) -> None:
        """Count one document's distinct ``terms`` on ``day``."""
        newest = max(self._days, default=day)
        if day > newest:
            self.expire(before=day - timedelta(days=self.window_days - 1))
        elif day <= newest - timedelta(days=self.window_days):
            return
        distinct = terms.keys() if isinstance(terms, Mapping) else set(terms)  # a Counter's keys are distinct
        self._days.setdefault(day, Counter()).update(distinct)
        self._totals.update(distinct)
        self._day_docs[day] += 1
        self._documents += 1

    def df(self, term: str) -> int:
        """Documents in the window that contain ``term``."""
        return self._totals.get(term, 0)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency: ``ln((1 + N) / (1 + df)) + 1`` (never below 1)."""
        return math.log((1 + self._documents) / (1 + self._totals.get(term, 0))) + 1.0

    def expire(self, *, before: date) -> None:
        """Forget every day before ``before``."""
        for day in [d for d in self._days if d < before]:
            counts = self._days.pop(day)
            self._totals.subtract(counts)
            for term, _ in counts.items():
                if self._totals[term] <= 0:
                    del self._totals[term]
            self._documents -= self._day_docs.pop(day)

    def merge(self, other: DocumentFrequency) -> None:
        """Add ``other``'s counts (e.g. another worker's partitions), then re-apply this window."""
        for day in sorted(other._days):
            self._days.setdefault(day, Counter()).update(other._days[day])
            self._totals.update(other._days[day])
            self._day_docs[day] += other._day_docs[day]
            self._documents += other._day_docs[day]
        if self._days:
            self.expire(before=max(self._days) - timedelta(days=self.window_days - 1))

    def split_days(self) -> dict[date, DocumentFrequency]:
        """One table per day held, same window: merging them all into an empty table gives this one back,
        so a store can keep one small entry per day instead of one snapshot of the whole window.

        >>> df = DocumentFrequency(window_days=3)
        >>> df.add(["دمشق", "حلب"], day=date(2015, 8, 7)); df.add(["دمشق"], day=date(2015, 8, 8))
        >>> parts = df.split_days()
        >>> [(d.isoformat(), p.documents, p.df("دمشق")) for d, p in parts.items()]
        [('2015-08-07', 1, 1), ('2015-08-08', 1, 1)]
        >>> whole = DocumentFrequency(window_days=3)
        >>> for part in parts.values(): whole.merge(part)
        >>> whole.to_bytes() == df.to_bytes()
        True
        """
        out: dict[date, DocumentFrequency] = {}
        for day in sorted(self._days):
            part = DocumentFrequency(window_days=self.window_days)
            part._days[day] = Counter(self._days[day])
            part._totals.update(self._days[day])
            part._day_docs[day] = self._day_docs[day]
            part._documents = self._day_docs[day]
            out[day] = part
        return out

    def to_bytes(self) -> bytes:
        """A compact, deterministic snapshot: zlib-compressed JSON with one vocabulary for all days."""
        vocabulary = sorted(self._totals)
        position = {term: i for i, term in enumerate(vocabulary)}
        days = {
            day.isoformat(): [
                self._day_docs[day],
                [x for t, n in sorted(c.items()) for x in (position[t], n)],
            ]
            for day, c in sorted(self._days.items())
        }
        payload = {"format": _FORMAT, "window_days": self.window_days, "terms": vocabulary, "days": days}
        return zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> DocumentFrequency:
        """Read a :meth:`to_bytes` snapshot; raise :class:`EnrichmentError` on anything else."""
        try:
            payload = json.loads(zlib.decompress(data))
            if payload.get("format") != _FORMAT:
                raise ValueError(f"format {payload.get('format')!r}, expected {_FORMAT}")
            out = cls(window_days=int(payload["window_days"]))
            terms: list[str] = payload["terms"]
            for iso, (docs, flat) in payload["days"].items():
                day = date.fromisoformat(iso)
                counts = Counter({terms[flat[i]]: int(flat[i + 1]) for i in range(0, len(flat), 2)})
                out._days[day] = counts
                out._totals.update(counts)
                out._day_docs[day] = int(docs)
                out._documents += int(docs)
        except (zlib.error, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise EnrichmentError(
                f"document-frequency snapshot ({len(data)} bytes) cannot be read: {exc}; "
                "drop it to start afresh"
            ) from None
        return out


def top_keywords(counts: TermCounts, df: DocumentFrequency, *, k: int = 10) -> list[str]:
    """The ``k`` terms with the highest TF-IDF (``(1 + ln tf) * idf``), as their most frequent surface form.

    Ties go to the smaller stem (code-point order), and surface-form ties to the smaller form, so the result
    does not depend on the order of the text.

    >>> df = DocumentFrequency()
    >>> df.add(["اسد"], day=date(2015, 8, 8)); df.add(["اسد", "دمشق"], day=date(2015, 8, 8))
    >>> top_keywords(count_terms([("الأسد في دمشق ودمشق", 1)]), df, k=1)
    ['دمشق']
    """
    # Natively (processors/native/src/keywords.rs), with df.idf's arithmetic: this runs for every term of
    # every article.
    return native_top_keywords(counts.counts, counts.keywords, df._totals, df.documents, max(k, 0))

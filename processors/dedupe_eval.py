"""Evaluate near-duplicate detection against listed pairs. Pure: no I/O beyond the bytes it is given.

The pairs file (SaudiNewsNet silver pairs) lists cross-outlet pairs by URL with ``jaccard_5gram``. Its
values are reproduced by :func:`silver_jaccard` (7,475 of 7,600 to the third decimal, the rest within a
few hundredths, measured over the whole corpus; see docs/dedupe.md):

- text: the article body, :func:`processors.arabic.normalize_for_matching` (teh marbuta folded), then
  only runs of Arabic letters and digits as words (Latin, URLs and punctuation dropped);
- shingles: the set of word 5-grams;
- common shingles (in more than :data:`COMMON_SHINGLE_DF` = 30 documents of the corpus: datelines,
  protocol formulas) are not counted as shared, but stay in both sizes:
  ``J = shared_rare / (|A| + |B| - shared_rare)``. Without that cap (``df=None``) this is plain Jaccard.

Metrics: an article's *group* is its original's URL (its own for an original). A pair is *flagged* when both
its articles are in one group. **recall** = flagged listed pairs / listed pairs found in the corpus;
**precision** = flagged cross-outlet pairs whose Jaccard is at least ``min_jaccard`` / flagged cross-outlet
pairs (same-outlet flagged pairs are counted apart: the pairs file lists none).

>>> a = silver_shingles("جدة واس استقبل صاحب السمو الملكي الامير سفير دولة")
>>> b = silver_shingles("جدة واس استقبل صاحب السمو الملكي الامير سفير مملكة")
>>> round(silver_jaccard(a, b), 3)
0.667
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .arabic import normalize_for_matching
from .errors import ProcessorError

__all__ = [
    "COMMON_SHINGLE_DF",
    "DedupeReport",
    "Pair",
    "evaluate",
    "parse_pairs",
    "shingle_df",
    "silver_jaccard",
    "silver_shingles",
]

#: Shingles in more than this many documents are not counted as shared (reproduces the silver file).
COMMON_SHINGLE_DF: Final = 30
_WORD_RE: Final = re.compile(r"[\u0621-\u064a0-9]+")


@dataclass(frozen=True, slots=True)
class Pair:
    """One listed pair: two URLs, their outlets and the listed Jaccard."""

    a_url: str
    b_url: str
    a_source: str = ""
    b_source: str = ""
    jaccard: float = 0.0


def parse_pairs(data: bytes | str, *, name: str = "pairs") -> list[Pair]:
    """The pairs of a JSON array of ``{a_url, b_url, a_source, b_source, jaccard_5gram}`` objects.

    >>> parse_pairs('[{"a_url": "u1", "b_url": "u2", "jaccard_5gram": 0.6}]')
    [Pair(a_url='u1', b_url='u2', a_source='', b_source='', jaccard=0.6)]
    """
    try:
        rows = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProcessorError(f"pairs file {name}: not JSON ({exc})") from None
    if not isinstance(rows, list):
        raise ProcessorError(f"pairs file {name}: expected a JSON array of pairs")
    pairs: list[Pair] = []
    for number, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("a_url") or not row.get("b_url"):
            raise ProcessorError(f"pairs file {name}: item {number} needs 'a_url' and 'b_url': {row!r:.120}")
        pairs.append(
            Pair(
                str(row["a_url"]),
                str(row["b_url"]),
                str(row.get("a_source") or ""),
                str(row.get("b_source") or ""),
                float(row.get("jaccard_5gram") or 0.0),
            )
        )
    return pairs


def silver_shingles(text: str, n: int = 5) -> frozenset[str]:
    """The word ``n``-gram set of ``text`` under the pairs file's light normalisation.

    >>> sorted(silver_shingles("قالت «واس»: 3 وزراء في جدّة http://spa.gov.sa", n=3))
    ['3 وزراء في', 'قالت واس 3', 'واس 3 وزراء', 'وزراء في جده']
    """
    words = _WORD_RE.findall(normalize_for_matching(text))
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def shingle_df(shingle_sets: Iterable[frozenset[str]]) -> Counter[str]:
    """Document frequency of every shingle over ``shingle_sets``.

    >>> shingle_df([frozenset({"a", "b"}), frozenset({"a"})])["a"]
    2
    """
    df: Counter[str] = Counter()
    for shingles in shingle_sets:
        df.update(shingles)
    return df


def silver_jaccard(
    a: frozenset[str], b: frozenset[str], df: Mapping[str, int] | None = None, *, cap: int = COMMON_SHINGLE_DF
) -> float:
    """Jaccard of two shingle sets; with ``df``, shared shingles in more than ``cap`` documents do not count.

    >>> a, b = frozenset({"x", "y", "z"}), frozenset({"x", "y", "w"})
    >>> silver_jaccard(a, b), silver_jaccard(a, b, {"x": 31, "y": 2})
    (0.5, 0.2)
    >>> silver_jaccard(frozenset(), frozenset())
    0.0
    """
    shared = a & b
    shared_count = sum(1 for s in shared if df.get(s, 0) <= cap) if df is not None else len(shared)
    denominator = len(a) + len(b) - shared_count
    return shared_count / denominator if denominator else 0.0


@dataclass(frozen=True, slots=True)
class DedupeReport:
    """What :func:`evaluate` measured."""

    recall: float
    precision: float
    precision_plain: float
    listed_pairs: int
    listed_found: int
    listed_flagged: int
    flagged_pairs: int
    flagged_precise: int
    flagged_same_outlet: int
    missed: list[Pair] = field(default_factory=list)
    imprecise: list[tuple[str, str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with ``precision`` and ``recall`` at the top level."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "precision_plain_jaccard": round(self.precision_plain, 4),
            "listed_pairs": self.listed_pairs,
            "listed_found_in_corpus": self.listed_found,
            "listed_flagged": self.listed_flagged,
            "flagged_pairs": self.flagged_pairs,
            "flagged_precise": self.flagged_precise,
            "flagged_same_outlet_pairs": self.flagged_same_outlet,
            "missed": [[p.a_url, p.b_url, p.jaccard] for p in self.missed],
            "imprecise": [[a, b, round(j, 4)] for a, b, j in self.imprecise],
        }


def evaluate(
    pairs: Iterable[Pair],
    groups: Mapping[str, str],
    outlets: Mapping[str, str],
    shingles: Mapping[str, frozenset[str]],
    *,
    df: Mapping[str, int] | None = None,
    min_jaccard: float = 0.5,
) -> DedupeReport:
    """Recall of ``pairs`` and precision of the flagged pairs, from ``groups`` (URL -> original URL) of every
    streamed article, their ``outlets`` and ``shingles`` (:func:`silver_shingles`), ``df`` over the corpus.

    >>> groups = {"a": "a", "b": "a", "c": "a", "d": "d"}
    >>> outlets = {"a": "x", "b": "y", "c": "z", "d": "w"}
    >>> sh = {"a": frozenset("pqrs"), "b": frozenset("pqrs"), "c": frozenset("tuvw"), "d": frozenset("pq")}
    >>> r = evaluate([Pair("a", "b"), Pair("a", "d")], groups, outlets, sh)
    >>> r.recall, r.flagged_pairs, r.flagged_precise, round(r.precision, 3)
    (0.5, 3, 1, 0.333)
    """
    listed = list(pairs)
    found = [p for p in listed if p.a_url in groups and p.b_url in groups]
    missed = [p for p in found if groups[p.a_url] != groups[p.b_url]]
    members: dict[str, list[str]] = {}
    for url, root in groups.items():
        members.setdefault(root, []).append(url)
    flagged = precise = precise_plain = same_outlet = 0
    imprecise: list[tuple[str, str, float]] = []
    for urls in members.values():
        for a, b in itertools.combinations(sorted(urls), 2):
            if outlets.get(a) == outlets.get(b):
                same_outlet += 1
                continue
            flagged += 1
            value = silver_jaccard(shingles[a], shingles[b], df)
            precise += value >= min_jaccard
            precise_plain += silver_jaccard(shingles[a], shingles[b]) >= min_jaccard
            if value < min_jaccard:
                imprecise.append((a, b, value))
    return DedupeReport(
        recall=(len(found) - len(missed)) / len(found) if found else 0.0,
        precision=precise / flagged if flagged else 1.0,
        precision_plain=precise_plain / flagged if flagged else 1.0,
        listed_pairs=len(listed),
        listed_found=len(found),
        listed_flagged=len(found) - len(missed),
        flagged_pairs=flagged,
        flagged_precise=precise,
        flagged_same_outlet=same_outlet,
        missed=missed,
        imprecise=sorted(imprecise, key=lambda item: item[2]),
    )

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

Metrics (what the deduper emits is one ``duplicate_of`` relation per duplicate: duplicate -> original):

- **precision** = emitted relations ``(duplicate, original)`` whose *plain* exact Jaccard (``df=None``: the
  normalisation and shingles above, every shared shingle counted) is at least ``min_jaccard`` / emitted
  relations;
- **recall** = listed pairs (found in the corpus) whose two articles the deduper relates: one is the other's
  original, or both have the same original; **recall_direct** counts only the first kind.

Secondary figures, so nothing is hidden: the same relation precision with the silver measure (``df``), and
the *group-pair* precision of the earlier evaluation (every cross-outlet pair inside one duplicate group
counted as flagged), plain and silver.

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
    if not rows:
        raise ProcessorError(f"pairs file {name}: the array lists no pairs")
    pairs: list[Pair] = []
    for number, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("a_url") or not row.get("b_url"):
            raise ProcessorError(f"pairs file {name}: item {number} needs 'a_url' and 'b_url': {row!r:.120}")
        value = row.get("jaccard_5gram") or 0.0
        try:
            jaccard = float(value)
        except (TypeError, ValueError):
            raise ProcessorError(
                f"pairs file {name}: item {number}: 'jaccard_5gram' is not a number: {value!r:.40}"
            ) from None
        pairs.append(
            Pair(
                str(row["a_url"]),
                str(row["b_url"]),
                str(row.get("a_source") or ""),
                str(row.get("b_source") or ""),
                jaccard,
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
    """What :func:`evaluate` measured (see the module docstring for the definitions)."""

    recall: float
    recall_direct: float
    precision: float
    precision_silver: float
    group_pair_precision_plain: float
    group_pair_precision_silver: float
    listed_pairs: int
    listed_found: int
    listed_related: int
    listed_direct: int
    relations: int
    relations_precise: int
    relations_cross_outlet: int
    group_pairs: int
    group_pairs_same_outlet: int
    missed: list[Pair] = field(default_factory=list)
    imprecise: list[tuple[str, str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with ``precision`` and ``recall`` at the top level."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "precision_definition": "emitted duplicate_of relations (duplicate, original) with plain exact "
            "word 5-gram Jaccard >= 0.5 / emitted relations",
            "recall_definition": "listed pairs whose articles are related: one is the other's original, or "
            "both have the same original / listed pairs found in the corpus",
            "recall_direct": round(self.recall_direct, 4),
            "precision_silver_measure": round(self.precision_silver, 4),
            "group_pair_precision_plain_jaccard": round(self.group_pair_precision_plain, 4),
            "group_pair_precision_silver_measure": round(self.group_pair_precision_silver, 4),
            "listed_pairs": self.listed_pairs,
            "listed_found_in_corpus": self.listed_found,
            "listed_related": self.listed_related,
            "listed_related_directly": self.listed_direct,
            "relations": self.relations,
            "relations_precise": self.relations_precise,
            "relations_cross_outlet": self.relations_cross_outlet,
            "group_pairs_cross_outlet": self.group_pairs,
            "group_pairs_same_outlet": self.group_pairs_same_outlet,
            "missed": [[p.a_url, p.b_url, p.jaccard] for p in self.missed],
            "imprecise_relations": [[a, b, round(j, 4)] for a, b, j in self.imprecise],
        }


def evaluate(
    pairs: Iterable[Pair],
    relations: Mapping[str, str],
    urls: Iterable[str],
    outlets: Mapping[str, str],
    shingles: Mapping[str, frozenset[str]],
    *,
    df: Mapping[str, int] | None = None,
    min_jaccard: float = 0.5,
) -> DedupeReport:
    """Score the emitted ``relations`` (duplicate URL -> original URL) of the streamed ``urls`` against the
    listed ``pairs``, with every article's outlet and :func:`silver_shingles`; ``df`` for the silver measure.

    >>> outlets = {"a": "x", "b": "y", "c": "z", "d": "w"}
    >>> sh = {"a": frozenset("pqrs"), "b": frozenset("pqrs"), "c": frozenset("pqtu"), "d": frozenset("pq")}
    >>> listed = [Pair("a", "b"), Pair("b", "c"), Pair("a", "d")]
    >>> r = evaluate(listed, {"b": "a", "c": "a"}, "abcd", outlets, sh)
    >>> r.recall, r.recall_direct, r.relations, r.relations_precise, round(r.group_pair_precision_plain, 3)
    (0.6666666666666666, 0.3333333333333333, 2, 1, 0.333)
    """
    streamed = set(urls)
    groups = {url: relations.get(url, url) for url in streamed}
    listed = list(pairs)
    found = [p for p in listed if p.a_url in streamed and p.b_url in streamed]
    missed = [p for p in found if groups[p.a_url] != groups[p.b_url]]
    direct = sum(relations.get(p.a_url) == p.b_url or relations.get(p.b_url) == p.a_url for p in found)
    precise = precise_silver = cross = 0
    imprecise: list[tuple[str, str, float]] = []
    for duplicate, original in relations.items():
        value = silver_jaccard(shingles[duplicate], shingles[original])
        precise += value >= min_jaccard
        precise_silver += silver_jaccard(shingles[duplicate], shingles[original], df) >= min_jaccard
        cross += outlets.get(duplicate) != outlets.get(original)
        if value < min_jaccard:
            imprecise.append((duplicate, original, value))
    members: dict[str, list[str]] = {}
    for url, root in groups.items():
        members.setdefault(root, []).append(url)
    group_pairs = group_plain = group_silver = same_outlet = 0
    for group in members.values():
        for a, b in itertools.combinations(sorted(group), 2):
            if outlets.get(a) == outlets.get(b):
                same_outlet += 1
                continue
            group_pairs += 1
            group_plain += silver_jaccard(shingles[a], shingles[b]) >= min_jaccard
            group_silver += silver_jaccard(shingles[a], shingles[b], df) >= min_jaccard
    n = len(relations)
    return DedupeReport(
        recall=(len(found) - len(missed)) / len(found) if found else 0.0,
        recall_direct=direct / len(found) if found else 0.0,
        precision=precise / n if n else 1.0,
        precision_silver=precise_silver / n if n else 1.0,
        group_pair_precision_plain=group_plain / group_pairs if group_pairs else 1.0,
        group_pair_precision_silver=group_silver / group_pairs if group_pairs else 1.0,
        listed_pairs=len(listed),
        listed_found=len(found),
        listed_related=len(found) - len(missed),
        listed_direct=direct,
        relations=n,
        relations_precise=precise,
        relations_cross_outlet=cross,
        group_pairs=group_pairs,
        group_pairs_same_outlet=same_outlet,
        missed=missed,
        imprecise=sorted(imprecise, key=lambda item: item[2]),
    )

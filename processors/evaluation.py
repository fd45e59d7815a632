"""Clustering quality against gold labels: BCubed and pairwise precision/recall/F1. Pure.

Both take two maps item -> label (gold, predicted) over the same items. BCubed (Bagga & Baldwin 1998; Amigó
et al. 2009) averages, per item, the share of its predicted cluster that shares its gold story (precision)
and the share of its gold story that shares its predicted cluster (recall). Pairwise counts item pairs
placed together; with no pair on one side its precision (or recall) is 1.0 by convention (nothing wrong
was claimed), and F1 is the harmonic mean (0 when both parts are 0).

>>> gold = {"a": 1, "b": 1, "c": 2}
>>> pred = {"a": "x", "b": "y", "c": "y"}
>>> bcubed(gold, pred)
Scores(precision=0.6666666666666666, recall=0.6666666666666666, f1=0.6666666666666666)
>>> pairwise(gold, pred)
Scores(precision=0.0, recall=0.0, f1=0.0)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from processors.errors import ProcessorError

__all__ = ["ClusteringReport", "Scores", "bcubed", "evaluate", "pairwise", "without_largest"]


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and their harmonic mean."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, precision: float, recall: float) -> Scores:
        """Scores with F1 computed.

        >>> Scores.of(0.5, 1.0).f1
        0.6666666666666666
        """
        total = precision + recall
        return cls(precision, recall, 2 * precision * recall / total if total else 0.0)


def _check(gold: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> None:
    if gold.keys() != predicted.keys():
        missing = sorted(set(gold) ^ set(predicted))[:5]
        raise ProcessorError(f"gold and predicted labels cover different items, e.g. {missing}")


def bcubed(gold: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> Scores:
    """BCubed precision, recall and F1 (1.0 each for an empty input).

    >>> bcubed({"a": 1, "b": 1}, {"a": 1, "b": 2})
    Scores(precision=1.0, recall=0.5, f1=0.6666666666666666)
    """
    _check(gold, predicted)
    if not gold:
        return Scores(1.0, 1.0, 1.0)
    both = Counter((gold[i], predicted[i]) for i in gold)
    gold_size = Counter(gold.values())
    pred_size = Counter(predicted.values())
    precision = recall = 0.0
    for (g, p), n in both.items():
        precision += n * n / pred_size[p]
        recall += n * n / gold_size[g]
    return Scores.of(precision / len(gold), recall / len(gold))


def pairwise(gold: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> Scores:
    """Pairwise precision, recall and F1 over unordered item pairs.

    >>> pairwise({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 2})
    Scores(precision=1.0, recall=0.3333333333333333, f1=0.5)
    """
    _check(gold, predicted)

    def pairs(sizes: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in sizes.values())

    together = pairs(Counter((gold[i], predicted[i]) for i in gold))
    gold_pairs = pairs(Counter(gold.values()))
    pred_pairs = pairs(Counter(predicted.values()))
    return Scores.of(
        together / pred_pairs if pred_pairs else 1.0, together / gold_pairs if gold_pairs else 1.0
    )


def without_largest(
    gold: Mapping[str, Hashable], predicted: Mapping[str, Hashable]
) -> tuple[dict[str, Hashable], dict[str, Hashable]]:
    """Both maps without the items of the largest gold story (ties: the first label in sorted order).

    >>> without_largest({"a": 1, "b": 1, "c": 2}, {"a": 5, "b": 5, "c": 5})
    ({'c': 2}, {'c': 5})
    """
    if not gold:
        return {}, {}
    sizes = Counter(gold.values())
    largest = min(sizes, key=lambda g: (-sizes[g], str(g)))
    keep = [i for i in gold if gold[i] != largest]
    return {i: gold[i] for i in keep}, {i: predicted[i] for i in keep}


@dataclass(frozen=True, slots=True)
class ClusteringReport:
    """Everything ``khabar eval clustering`` prints and writes."""

    bcubed: Scores
    pairwise: Scores
    bcubed_without_largest: Scores
    articles: int
    gold_stories: int
    predicted_stories: int
    articles_per_second: float

    def to_json(self) -> dict[str, Any]:
        """The issue's JSON shape: ``bcubed``, ``pairwise``, ``bcubed_without_largest``, counts, rate."""
        return asdict(self)


def evaluate(
    gold: Mapping[str, Hashable], predicted: Mapping[str, Hashable], *, articles_per_second: float = 0.0
) -> ClusteringReport:
    """All the figures for one run.

    >>> evaluate({"a": 1, "b": 1}, {"a": 7, "b": 7}).bcubed.f1
    1.0
    """
    rest_gold, rest_pred = without_largest(gold, predicted)
    return ClusteringReport(
        bcubed=bcubed(gold, predicted),
        pairwise=pairwise(gold, predicted),
        bcubed_without_largest=bcubed(rest_gold, rest_pred),
        articles=len(gold),
        gold_stories=len(set(gold.values())),
        predicted_stories=len(set(predicted.values())),
        articles_per_second=articles_per_second,
    )

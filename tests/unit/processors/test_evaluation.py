"""Unit tests for processors.evaluation: BCubed and pairwise scores against hand-computed values."""

from __future__ import annotations

import pytest

from processors.errors import ProcessorError
from processors.evaluation import bcubed, evaluate, pairwise, without_largest

# Gold: {a,b,c} {d,e} {f}; predicted: {a,b} {c,d,e} {f}.
GOLD = {"a": "G1", "b": "G1", "c": "G1", "d": "G2", "e": "G2", "f": "G3"}
PRED = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P3"}


def test_bcubed_matches_hand_computation() -> None:
    # precision per item: a,b 2/2; c 1/3; d,e 2/3; f 1 -> (1+1+1/3+2/3+2/3+1)/6 = 4.6667/6
    # recall per item: a,b 2/3; c 1/3; d,e 2/2; f 1 -> (2/3+2/3+1/3+1+1+1)/6 = 4.6667/6
    scores = bcubed(GOLD, PRED)
    assert scores.precision == pytest.approx(14 / 18)
    assert scores.recall == pytest.approx(14 / 18)
    assert scores.f1 == pytest.approx(14 / 18)


def test_pairwise_matches_hand_computation() -> None:
    # predicted pairs: ab, cd, ce, de = 4; gold pairs: ab, ac, bc, de = 4; shared: ab, de = 2
    scores = pairwise(GOLD, PRED)
    assert (scores.precision, scores.recall, scores.f1) == pytest.approx((0.5, 0.5, 0.5))


def test_perfect_and_all_singletons() -> None:
    assert bcubed(GOLD, GOLD).f1 == 1.0
    singles = {k: k for k in GOLD}
    b = bcubed(GOLD, singles)
    assert b.precision == 1.0
    assert b.recall == pytest.approx((1 / 3 * 3 + 1 / 2 * 2 + 1) / 6)
    p = pairwise(GOLD, singles)
    assert (p.precision, p.recall, p.f1) == (1.0, 0.0, 0.0)


def test_without_largest_drops_the_largest_gold_story() -> None:
    gold, pred = without_largest(GOLD, PRED)
    assert set(gold) == {"d", "e", "f"}
    # d,e together in P2 (c removed): perfect
    assert bcubed(gold, pred).f1 == 1.0


def test_evaluate_reports_counts_and_json_shape() -> None:
    report = evaluate(GOLD, PRED, articles_per_second=12.5)
    data = report.to_json()
    assert set(data) == {
        "bcubed", "pairwise", "bcubed_without_largest", "articles", "gold_stories", "predicted_stories",
        "articles_per_second",
    }  # fmt: skip
    assert set(data["bcubed"]) == {"precision", "recall", "f1"}
    assert (data["articles"], data["gold_stories"], data["predicted_stories"]) == (6, 3, 3)
    assert data["articles_per_second"] == 12.5


def test_mismatched_items_are_refused() -> None:
    with pytest.raises(ProcessorError, match="different items"):
        bcubed({"a": 1}, {"b": 1})

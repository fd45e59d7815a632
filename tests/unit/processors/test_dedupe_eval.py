from __future__ import annotations

import pytest

from processors.dedupe_eval import Pair, evaluate, parse_pairs, shingle_df, silver_jaccard, silver_shingles
from processors.errors import ProcessorError


def test_metrics_on_a_hand_computed_case() -> None:
    # relations: b -> a, c -> a (group {a, b, c}, outlets x, y, x), e -> d (group {d, e}); f alone
    relations = {"b": "a", "c": "a", "e": "d"}
    outlets = {"a": "x", "b": "y", "c": "x", "d": "z", "e": "y", "f": "w"}
    s = frozenset
    shingles = {
        "a": s("pqrs"),
        "b": s("pqrt"),  # J(b, a) = 3/5 = 0.6
        "c": s("pqxy"),  # J(c, a) = 2/6; J(b, c) = 2/6
        "d": s("klmn"),
        "e": s("klmn"),  # J(e, d) = 1.0
        "f": s("klmn"),
    }
    listed = [Pair("a", "b"), Pair("b", "c"), Pair("d", "e"), Pair("e", "f"), Pair("a", "gone")]
    report = evaluate(listed, relations, "abcdef", outlets, shingles)
    # found: (a,b) direct, (b,c) through the same original, (d,e) direct, (e,f) missed; (a, gone) absent
    assert (report.listed_pairs, report.listed_found, report.listed_related, report.listed_direct) == (
        5,
        4,
        3,
        2,
    )
    assert report.recall == pytest.approx(3 / 4)
    assert report.recall_direct == pytest.approx(2 / 4)
    # relations: (b,a) 0.6, (c,a) 0.33, (e,d) 1.0 -> 2 of 3 precise; one is same-outlet
    assert (report.relations, report.relations_precise, report.relations_cross_outlet) == (3, 2, 2)
    assert report.precision == pytest.approx(2 / 3)
    assert [(a, b) for a, b, _ in report.imprecise] == [("c", "a")]
    # group pairs: cross-outlet (a,b) 0.6, (b,c) 0.33, (d,e) 1.0; (a,c) same-outlet
    assert (report.group_pairs, report.group_pairs_same_outlet) == (3, 1)
    assert report.group_pair_precision_plain == pytest.approx(2 / 3)
    assert report.missed == [Pair("e", "f")]
    out = report.as_dict()
    assert (out["precision"], out["recall"], out["recall_direct"]) == (0.6667, 0.75, 0.5)


def test_relation_precision_uses_plain_jaccard_and_the_silver_measure_apart() -> None:
    a, b = frozenset({"x", "y", "z", "u"}), frozenset({"x", "y", "z", "v"})  # plain 3/5
    df = shingle_df([a, b] + [frozenset({"x", "y"})] * 30)  # x, y in 32 documents: silver 1/7
    report = evaluate(
        [Pair("a", "b")], {"b": "a"}, ["a", "b"], {"a": "o1", "b": "o2"}, {"a": a, "b": b}, df=df
    )
    assert (report.precision, report.precision_silver, report.recall) == (1.0, 0.0, 1.0)


def test_common_shingles_do_not_count_as_shared() -> None:
    a, b = frozenset({"x", "y", "z", "u"}), frozenset({"x", "y", "z", "v"})
    assert silver_jaccard(a, b) == pytest.approx(3 / 5)
    df = shingle_df([a, b] + [frozenset({"x"})] * 30)  # x in 32 documents
    assert silver_jaccard(a, b, df) == pytest.approx(2 / 6)
    assert silver_jaccard(a, b, df, cap=32) == pytest.approx(3 / 5)


def test_silver_normalisation_folds_and_drops_latin() -> None:
    assert silver_shingles("مدينة جدّة، http://x.y", n=2) == frozenset({"مدينه جده"})
    assert silver_shingles("قصير", n=5) == frozenset()


def test_parse_pairs_refuses_bad_files() -> None:
    assert parse_pairs(b'[{"a_url": "u", "b_url": "v", "jaccard_5gram": 0.7}]')[0].jaccard == 0.7
    with pytest.raises(ProcessorError, match="not JSON"):
        parse_pairs(b"{", name="p.json")
    with pytest.raises(ProcessorError, match="JSON array"):
        parse_pairs(b"{}")
    with pytest.raises(ProcessorError, match="item 0 needs"):
        parse_pairs(b'[{"a_url": "u"}]')
    with pytest.raises(ProcessorError, match="lists no pairs"):
        parse_pairs(b"[]")
    with pytest.raises(ProcessorError, match="item 0: 'jaccard_5gram' is not a number: 'high'"):
        parse_pairs(b'[{"a_url": "u", "b_url": "v", "jaccard_5gram": "high"}]')
    assert parse_pairs(b'[{"a_url": "u", "b_url": "v", "jaccard_5gram": "0.5"}]')[0].jaccard == 0.5

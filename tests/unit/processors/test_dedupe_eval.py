from __future__ import annotations

import pytest

from processors.dedupe_eval import Pair, evaluate, parse_pairs, shingle_df, silver_jaccard, silver_shingles
from processors.errors import ProcessorError


def test_metrics_on_a_hand_computed_case() -> None:
    # groups: {a, b, c} (outlets x, y, x) and {d, e} (z, y); f alone
    groups = {"a": "a", "b": "a", "c": "a", "d": "d", "e": "d", "f": "f"}
    outlets = {"a": "x", "b": "y", "c": "x", "d": "z", "e": "y", "f": "w"}
    s = frozenset
    shingles = {
        "a": s("pqrs"),
        "b": s("pqrt"),  # J(a, b) = 3/5 = 0.6
        "c": s("pxyz"),  # J(b, c) = 1/7; (a, c) is same-outlet
        "d": s("klmn"),
        "e": s("klmn"),  # J(d, e) = 1.0
        "f": s("klmn"),
    }
    listed = [Pair("a", "b"), Pair("d", "e"), Pair("e", "f"), Pair("a", "gone")]
    report = evaluate(listed, groups, outlets, shingles)
    # listed and found: (a,b) flagged, (d,e) flagged, (e,f) missed; (a, gone) not in the corpus
    assert (report.listed_pairs, report.listed_found, report.listed_flagged) == (4, 3, 2)
    assert report.recall == pytest.approx(2 / 3)
    # flagged cross-outlet pairs: (a,b) 0.6, (b,c) 0.143, (d,e) 1.0 -> 2 of 3 precise
    assert (report.flagged_pairs, report.flagged_precise, report.flagged_same_outlet) == (3, 2, 1)
    assert report.precision == pytest.approx(2 / 3)
    assert [(a, b) for a, b, _ in report.imprecise] == [("b", "c")]
    assert report.missed == [Pair("e", "f")]
    out = report.as_dict()
    assert out["precision"] == 0.6667
    assert out["recall"] == 0.6667


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

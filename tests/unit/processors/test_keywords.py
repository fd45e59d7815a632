"""Document frequencies (window, snapshot, merge) and TF-IDF keywords with surface forms; the native top
terms against the formula."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.errors import EnrichmentError
from processors.keywords import DocumentFrequency, TermCounts, count_terms, top_keywords
from tests.conftest import shared_dir

DAY = date(2015, 8, 8)


def test_window_expires_old_days() -> None:
    df = DocumentFrequency(window_days=2)
    df.add(["a", "b"], day=DAY)
    df.add(["a"], day=date(2015, 8, 9))
    assert (df.documents, df.df("a"), df.df("b")) == (2, 2, 1)
    df.add(["c"], day=date(2015, 8, 10))
    assert (df.documents, df.df("a"), df.df("b")) == (2, 1, 0)
    df.add(["z"], day=DAY)  # older than the window: not counted
    assert df.df("z") == 0
    df.expire(before=date(2015, 8, 11))
    assert df.documents == 0
    assert df.days == []


def test_duplicate_terms_count_once() -> None:
    df = DocumentFrequency()
    df.add(["a", "a", "a"], day=DAY)
    assert df.df("a") == 1
    assert df.idf("a") < df.idf("never-seen")


def test_snapshot_round_trip_and_determinism() -> None:
    df = DocumentFrequency(window_days=3)
    df.add(["دمشق", "حلب"], day=DAY)
    df.add(["حلب"], day=date(2015, 8, 9))
    data = df.to_bytes()
    back = DocumentFrequency.from_bytes(data)
    assert back.to_bytes() == data
    assert (back.documents, back.df("حلب"), back.window_days) == (2, 2, 3)


def test_bad_snapshot() -> None:
    with pytest.raises(EnrichmentError, match="cannot be read"):
        DocumentFrequency.from_bytes(b"garbage")
    with pytest.raises(EnrichmentError):
        DocumentFrequency(window_days=0)


def test_merge_equals_single_table() -> None:
    one, left, right = DocumentFrequency(), DocumentFrequency(), DocumentFrequency()
    for i, terms in enumerate([["a", "b"], ["b"], ["c"], ["a"]]):
        one.add(terms, day=DAY)
        (left if i % 2 else right).add(terms, day=DAY)
    left.merge(right)
    assert left.to_bytes() == one.to_bytes()


def test_surface_forms_and_order_independence() -> None:
    counts = count_terms([("الأسد يرحل", 2), ("قال إن الأسد والأسد في دمشق", 1)])
    df = DocumentFrequency()
    df.add(counts.counts, day=DAY)
    assert top_keywords(counts, df, k=1) == ["الأسد"]
    again = count_terms([("قال إن الأسد والأسد في دمشق", 1), ("الأسد يرحل", 2)])
    assert top_keywords(again, df, k=3) == top_keywords(counts, df, k=3)


def test_stop_words_and_numbers_are_not_keywords() -> None:
    counts = count_terms([("في على من 2015 إن", 1)])
    assert not counts.counts


def test_formula_words_are_not_keywords() -> None:
    text = "رحمه الله والله إن سمو الأمير فيصل بن خالد عزى بالمائة من أسر الشهداء في عسير رحمهم الله"
    counts = count_terms([(text, 1)])
    df = DocumentFrequency()
    df.add(counts.counts, day=DAY)
    keywords = top_keywords(counts, df, k=20)
    assert not {"الله", "والله", "بن", "سمو", "بالمائة"} & set(keywords)
    assert {"الأمير", "فيصل", "خالد", "الشهداء", "عسير"} <= set(keywords)


def test_real_article_keywords() -> None:
    path = shared_dir() / "data" / "samples" / "syria_2015_outlet_b.txt"
    if not path.exists():
        pytest.skip(f"sample not found at {path}")
    counts = count_terms([(path.read_text(), 1)])
    df = DocumentFrequency()
    df.add(counts.counts, day=DAY)
    keywords = top_keywords(counts, df, k=10)
    assert len(keywords) == 10
    assert "الأسد" in keywords or "النظام" in keywords


def test_split_days_merges_back_exactly() -> None:
    from processors.enrich import Enricher
    from producers.corpus import read_corpus, to_raw_article

    days = sorted((shared_dir() / "data" / "saudinewsnet").glob("*.zip"))[:3]
    if len(days) < 3:
        pytest.skip("SaudiNewsNet not found under the shared directory")
    enricher = Enricher(document_frequency=DocumentFrequency(window_days=4))
    for path in days:
        for item in list(read_corpus(path))[:40]:
            enricher.enrich(to_raw_article(item))
    whole = enricher.document_frequency
    parts = whole.split_days()
    assert list(parts) == whole.days
    assert len(parts) == 3
    assert all(p.window_days == 4 and p.days == [day] for day, p in parts.items())
    assert sum(p.documents for p in parts.values()) == whole.documents
    merged = DocumentFrequency(window_days=4)
    for part in reversed(list(parts.values())):  # order does not matter
        merged.merge(part)
    assert merged.to_bytes() == whole.to_bytes()
    assert merged.documents == whole.documents
    assert all(len(p.to_bytes()) < len(whole.to_bytes()) for p in parts.values())


def test_split_days_of_empty_table() -> None:
    assert DocumentFrequency().split_days() == {}


def reference_top_keywords(counts: TermCounts, df: DocumentFrequency, k: int) -> list[str]:
    """top_keywords as the formula reads: (1 + ln tf) * idf, ties to the smaller term, then the most
    frequent form, ties to the smaller form."""
    tfs = {term: tf for term, tf in counts.counts.items() if tf > 0}
    scored = sorted((-(1.0 + math.log(tf)) * df.idf(term), term) for term, tf in tfs.items())
    forms: dict[str, list[tuple[int, str]]] = {}
    for (term, surface), n in counts.forms.items():
        forms.setdefault(term, []).append((-n, surface))
    return list(dict.fromkeys(min(forms[term])[1] for _, term in scored[:k]))


TERMS = ["اسد", "دمشق", "حلب", "سور", "معارض", "a", "b", "ab"]
SURFACES = ["الأسد", "والأسد", "دمشق", "ودمشق", "x", "y"]


@given(
    st.lists(st.tuples(st.sampled_from(TERMS), st.sampled_from(SURFACES), st.integers(-1, 6)), max_size=20),
    st.lists(st.lists(st.sampled_from(TERMS), max_size=5), max_size=12),
    st.integers(0, 6),
)
@settings(max_examples=500, deadline=None)
def test_native_top_keywords_equal_the_formula(
    occurrences: list[tuple[str, str, int]], documents: list[list[str]], k: int
) -> None:
    counts = TermCounts()
    for term, surface, n in occurrences:
        counts.counts[term] += n
        counts.keywords.append(([(term, surface)], n))
    df = DocumentFrequency()
    for terms in documents:
        df.add(terms, day=DAY)
    assert top_keywords(counts, df, k=k) == reference_top_keywords(counts, df, k)


def test_top_keywords_name_a_term_without_a_surface_form() -> None:
    with pytest.raises(ValueError, match='term "a" has no surface form'):
        top_keywords(TermCounts(Counter({"a": 1})), DocumentFrequency(), k=1)

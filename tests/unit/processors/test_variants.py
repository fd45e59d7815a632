"""Spelling variants merged natively (processors/native/src/variants.rs) against their Python definition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

import processors.entities as entities
from processors._textcore import group_variants
from processors.entities import FUZZY_THRESHOLD, KnownNames, extract_entities, merge_variants, name_key
from processors.name_rules import norm

Spelling = tuple[str, list[str], str]


def spelling(name: str) -> Spelling:
    normal = norm(name)
    return normal, normal.split(), name_key(name)


def reference_similar(a: Spelling, b: Spelling) -> bool:
    """The rule in Python with rapidfuzz: equal normal forms or skeletons, letters within the fuzzy
    threshold, or the shorter within it of the longer one's last words."""
    (na, wa, ka), (nb, wb, kb) = a, b
    if na == nb or ka == kb or fuzz.ratio(na, nb, score_cutoff=FUZZY_THRESHOLD):
        return True
    short, long = sorted((wa, wb), key=len)
    if not 1 <= len(short) < len(long):
        return False
    tail = " ".join(long[-len(short) :])
    return bool(fuzz.ratio(" ".join(short), tail, score_cutoff=FUZZY_THRESHOLD))


def reference_merge(names: Sequence[str]) -> list[list[str]]:
    spellings = {name: spelling(name) for name in names}
    groups: list[list[str]] = []
    for name in names:
        kept: list[list[str]] = []
        merged: list[str] = []
        for group in groups:
            if any(reference_similar(spellings[name], spellings[other]) for other in group):
                merged += group
            else:
                kept.append(group)
        merged.append(name)
        kept.append(merged)
        groups = kept
    order = {n: i for i, n in enumerate(names)}
    return sorted(groups, key=lambda g: min(order[x] for x in g))


def native_similar(a: str, b: str, key_a: str, key_b: str) -> bool:
    return len(group_variants([(a, key_a), (b, key_b)], cutoff=FUZZY_THRESHOLD)) == 1


# Letters that make near misses likely (long vowels, hamzas, teh marbuta), a space and a tab.
_LETTERS = st.text(alphabet="دميستوراابنعلةهأى \t", max_size=40)


@given(_LETTERS, _LETTERS)
@settings(max_examples=3000, deadline=None)
def test_the_fuzzy_rule_equals_rapidfuzz(a: str, b: str) -> None:
    # distinct skeletons, so that only the letters decide
    expected = reference_similar((a, a.split(), "a"), (b, b.split(), "b"))
    assert native_similar(a, b, "a", "b") == expected


def test_the_threshold_is_rapidfuzz_s_to_the_last_letter() -> None:
    # 25 letters against 25 with 3 changed: 1 - 6/50 = 0.88, just in; one more change, just out
    base = "ابجدهوزحطيكلمنسعفصقرشتثخذ"
    near = "ززز" + base[3:]
    assert fuzz.ratio(base, near) == pytest.approx(88.0)
    assert native_similar(base, near, "a", "b")
    assert not native_similar(base, "زززز" + base[4:], "a", "b")


_NAMES = [
    *["ستيفان دي ميستورا", "ستيفان دي مستورا", "دي مستورا", "دي ميستورا", "ميستورا", "بشار الأسد"],
    *["الأسد", "بشار  الأسد", "عادل الجبير", "الجبير", "وزارة الدفاع", "وزارة  الدفاع", "هولاند"],
    *["فرنسوا هولاند", "فرانسوا هولاند", "عبدالله", "عبد الله", "سلمان بن عبدالعزيز", ""],
]


@given(st.lists(st.sampled_from(_NAMES), max_size=12))
@settings(max_examples=1500, deadline=None)
def test_merge_variants_equals_the_reference(names: list[str]) -> None:
    assert merge_variants(names) == reference_merge(names)


def test_merge_variants_on_a_saudinewsnet_day_equals_the_reference(
    saudinewsnet_day: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []

    def spy(names: Sequence[str]) -> list[list[str]]:
        seen.append(list(names))
        return merge_variants(names)

    monkeypatch.setattr(entities, "merge_variants", spy)
    known = KnownNames.load()
    for row in saudinewsnet_day:
        extract_entities(f"{row['title']}.\n{row['content']}", known=known)
    merged = 0
    for names in seen:
        groups = merge_variants(names)
        assert groups == reference_merge(names), names
        merged += len(names) - len(groups)
    # the day has variants to merge: the comparison compared something
    assert merged > len(saudinewsnet_day) // 10

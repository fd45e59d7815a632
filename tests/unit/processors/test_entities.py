"""People and organisations by rules; spelling variants merged to one canonical name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors._textcore import ItemScanner
from processors.analyzed_text import AnalyzedText
from processors.entities import (
    _RULES,
    _TRIGGER_SCANNER,
    KnownNames,
    canonical_name,
    extract_entities,
    merge_variants,
    name_key,
)
from processors.name_rules import (
    BIN,
    NATIVE_SETS,
    TRIGGERS,
    chain_at,
    organisation_at,
    person_at,
    titles_after_and,
)
from tests.conftest import shared_dir


def pairs(text: str) -> list[tuple[str, str]]:
    return [(e.name, e.type) for e in extract_entities(text, known=KnownNames.load())]


def test_title_followed_by_name() -> None:
    assert ("فرنسوا هولاند", "person") in pairs("وقال الرئيس الفرنسي فرنسوا هولاند انه لا يمكن التعايش")
    assert ("رامي عبدالرحمن", "person") in pairs("وقال مدير المرصد رامي عبدالرحمن في تصريحات")


def test_organisation_patterns_and_quotes() -> None:
    found = pairs("أعلنت وزارة الدفاع أن «جيش الفتح» وتنظيم «داعش» و«انفجار غامض» وقعت")
    assert ("وزارة الدفاع", "organisation") in found
    assert ("جيش الفتح", "organisation") in found
    assert ("داعش", "organisation") in found
    assert all(name != "انفجار غامض" for name, _ in found)


def test_de_mistura_variants_are_one_name() -> None:
    assert name_key("دي ميستورا") == name_key("دي مستورا")
    assert merge_variants(["ستيفان دي مستورا", "دي ميستورا"]) == [["ستيفان دي مستورا", "دي ميستورا"]]
    assert canonical_name(["دي مستورا", "ستيفان دي مستورا"]) == canonical_name(
        ["ستيفان دي مستورا", "دي مستورا"]
    )


def test_samples_share_the_canonical_name() -> None:
    base = shared_dir() / "data" / "samples"
    if not base.is_dir():
        pytest.skip(f"samples not found at {base}")
    a = pairs((base / "syria_2015_outlet_a.txt").read_text())
    b = pairs((base / "syria_2015_outlet_b.txt").read_text())
    mistura = ("ستيفان دي ميستورا", "person")
    assert mistura in a
    assert mistura in b
    assert not any("مستورا" in n and (n, t) != mistura for n, t in a + b)
    assert ("المرصد السوري لحقوق الإنسان", "organisation") in a
    assert ("المرصد السوري لحقوق الإنسان", "organisation") in b
    assert ("جيش الفتح", "organisation") in b


def test_unknown_names_without_registry_still_merge() -> None:
    found = extract_entities("قال المبعوث ستيفان دي مستورا ثم عاد دي ميستورا فأكد")
    assert [e.name for e in found] == ["ستيفان دي مستورا"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("وقال الأمير سلمان بن", []),  # a text may end at بن or أبو (a cut body): nothing follows them
        ("سلمان بن", []),
        ("قال الرئيس أبو", []),
        ("وقال الأمير فيصل بن خالد", ["فيصل بن خالد"]),
    ],
)
def test_a_name_cut_by_the_end_of_the_text(text: str, names: list[str]) -> None:
    assert [e.name for e in extract_entities(text, known=KnownNames.load())] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("قال المرشد الإيراني علي خامنئي إن الاتفاق لن يغير شيئا", ["علي خامنئي"]),
        ("التقى رئيس البرلمان علي لاريجاني في طهران", ["علي لاريجاني"]),
        ("استقبل الأمير محمد بن علي في الرياض ضيوفه", ["محمد بن علي"]),
        ("وقال الوزير عادل الجبير على هامش اللقاء إن", ["عادل الجبير"]),  # على, the preposition, ends it
    ],
)
def test_the_name_ali_is_not_taken_for_the_preposition(text: str, names: list[str]) -> None:
    # علي (Ali) and على (on) normalise alike; only the written form tells them apart
    assert [e.name for e in extract_entities(text) if e.type == "person"] == names


def persons(text: str) -> list[str]:
    return [e.name for e in extract_entities(text) if e.type == "person"]


def organisations(text: str) -> list[str]:
    return [e.name for e in extract_entities(text) if e.type == "organisation"]


# Real sentences of SaudiNewsNet (2015-07-25, 2015-08-03 and 2015-08-08) where the rules used to take common
# words for names; docs/reviews/ holds the samples read to measure the precision.
@pytest.mark.parametrize(
    ("text", "names"),
    [
        # the office comes first, the name after the next title
        (
            "ووجه مدير عام الشؤون الصحية في منطقة مكة المكرمة الدكتور مصطفى بلجون، في بيان أمس",
            ["مصطفى بلجون"],
        ),
        (
            "زار مدير الإدارة العامة للدفاع المدني بمحافظة الطائف العميد خالد الداموك اليوم السبت",
            ["خالد الداموك"],
        ),
        ("وقال المتحدث الإعلامي لصحة مكة عبدالوهاب شلبي إن الطفلة", ["عبدالوهاب شلبي"]),
        ("مدير مدني الطائف يزور الجندي منقذ الأطفال", []),
        # a family name ends the name; a description after it does not belong to it
        ("حمّل رئيس الوزراء السابق نوري المالكي المسؤولية الكاملة", ["نوري المالكي"]),
        ("الرئيس فرانكلين روزفلت مرسوما بإقامة مناطق", []),
        # chains of fathers, with or without a title, and a family with آل
        ("وافق المهندس عبد اللطيف بن عبدالملك آل الشيخ على", ["عبد اللطيف بن عبدالملك آل الشيخ"]),
        ("أكد سعد بن حسين الخزيم بشأن إنشاء مسجد", ["سعد بن حسين الخزيم"]),
        ("الدكتور خالد بن محمد العطية بحضور", ["خالد بن محمد العطية"]),
        # titles after a facility name a place; عبد الملك is a name, not a king
        ("لصالح طريق الملك فهد بمحافظة الزلفي وشارع عبدالله بن خميس بحي الروضة", []),
        ("في مستشفى الملك فيصل بمكة", []),
        # الفريق is also "the team"; a word with tanween or a number word is no name
        ("الفريق سيواصل تدريباته في سالزبورغ", []),
        ("لكن الفريق اللندني يعاني دائمًا من مشكلة", []),
        ("خاض خلاله الفريق سبعة لقاءات ودية", []),
        # an unlisted name needs an adjective of origin before it and an end after it
        ("وزير الخارجية بدولة قطر الدكتور خالد", []),
        (
            "وقالت وزيرة الداخلية البريطانية تريزا ماي ووزير الداخلية الفرنسي برنار كازنوف إن",
            ["تريزا ماي", "برنار كازنوف"],
        ),
        ("وكان رئيس الجمهورية التونسية بمناسبة ذكرى إعلان الجمهورية", []),
        # an office after the name is no family name; القاضي can be one
        ("وقال الأمير عبدالله بن مساعد الرئيس العام لرعاية الشباب", ["عبدالله بن مساعد"]),
        ("قال المهندس محمد إبراهيم القاضي إن", ["محمد إبراهيم القاضي"]),
    ],
)
def test_people_are_named_only_where_a_name_stands(text: str, names: list[str]) -> None:
    assert persons(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("يشير إلى القرار الذي أصدره مجلس الأمن التابع للأمم المتحدة", ["مجلس الأمن"]),
        ("وقامت جماعة حزب الله الشيعية اللبنانية بدور", ["حزب الله"]),
        ("أكدت وزارة الاقتصاد والتخطيط أن", ["وزارة الاقتصاد والتخطيط"]),
        ("بدأت هيئة التحقيق والادعاء العام التحقيق", ["هيئة التحقيق والادعاء العام"]),
        ("تقدمت قوات التحالف والجيش الوطني في المدينة", ["قوات التحالف"]),  # two bodies, not one
        # a kind of body is not a body's name: 'the board', 'the faculty', 'the security forces'
        ("وافق مجلس الإدارة على توزيع الأرباح بحضور أعضاء هيئة التدريس وقوات الأمن", []),
        ("ونفت شركة الطيران الخبر وسحبت قوات الشرطة", []),
        ("قرر مجلس الوزراء الموافقة على نظام المناطق", ["مجلس الوزراء"]),
        ("قرار إعفاء أربعة قياديين في مستشفى الملك فيصل بعد", ["مستشفى الملك فيصل"]),
        ("وقالت قوات الأمن إن قوات الأمن التركية اعتقلت", ["قوات الأمن التركية"]),
        ("لحفل افتتاح قناة السويس الجديدة، وتاريخ قناة السويس", ["قناة السويس الجديدة", "قناة السويس"]),
    ],
)
def test_organisation_names_end_where_the_body_s_name_ends(text: str, names: list[str]) -> None:
    assert organisations(text) == names


def test_given_names_are_normalised_like_the_text() -> None:
    from processors.name_rules import GIVEN_NAMES

    assert {"اسامه", "عيسي", "مصطفي", "فاطمه"} <= GIVEN_NAMES  # أسامة, عيسى, مصطفى, فاطمة
    assert not {"عيد", "صباح", "امين", "جهاد"} & GIVEN_NAMES  # mostly common nouns: left out


# ------------------------------------------------------------ the native scans against the Python ones


def reference_scan(known: KnownNames, analysed: AnalyzedText) -> tuple[list[int], list[str], bool]:
    """Where the rules start and the listed spellings written out, as extract_entities found them in
    Python: the trigger words of ``titles_after_and(items)``, and ``KnownNames._find`` on them."""
    words, norms = analysed.item_texts, titles_after_and(analysed.item_norms)
    triggers = [i for i, norm in enumerate(norms) if norm in TRIGGERS]
    return triggers, known._find(words, norms), norms != analysed.item_norms


def native_scan(known: KnownNames, analysed: AnalyzedText) -> tuple[list[int], list[str], bool]:
    triggers, listed, aliased = known._scanner.scan(analysed.analysis)
    words = analysed.item_texts
    return triggers, list(dict.fromkeys(" ".join(words[i : i + n]) for i, n in listed)), aliased


@pytest.fixture(scope="module")
def known() -> KnownNames:
    return KnownNames.load()


# Listed names (one to four words, and their first words alone), triggers, titles after و, punctuation.
_SCAN_WORDS = [
    *["ستيفان", "دي", "ميستورا", "مستورا", "بشار", "الأسد", "سلمان", "بن", "عبدالعزيز", "آل", "سعود"],
    *["عادل", "الجبير", "داعش", "الرئيس", "ووزير", "وزير", "الخارجية", "مجلس", "الأمن", "الدولي"],
    *["قال", "إن", "في،", "«»."],
]


@given(st.lists(st.sampled_from(_SCAN_WORDS), max_size=30))
@settings(max_examples=1000, deadline=None)
def test_native_scans_equal_the_reference(known: KnownNames, words: list[str]) -> None:
    analysed = AnalyzedText.of(" ".join(words))
    assert native_scan(known, analysed) == reference_scan(known, analysed)


def test_the_scanner_refuses_a_phrase_of_too_many_words() -> None:
    with pytest.raises(ValueError, match='phrase "a b c" is not 1 to 2 words joined by single spaces'):
        ItemScanner([], ["a b c"], aliases={}, max_words=2)
    with pytest.raises(ValueError, match="is not 1 to 4 words"):
        ItemScanner([], ["a  b"], aliases={}, max_words=4)


# ------------------------------------------------------------ the native rules against the Python ones


def reference_rules(scanner: ItemScanner, analysed: AnalyzedText) -> tuple[list[tuple[str, bool]], list[str]]:
    """The names the rules of processors.name_rules find at each trigger, as extract_entities ran them in
    Python, and the listed spellings written out."""
    triggers, listed, aliased = scanner.scan(analysed.analysis)
    words, norms = analysed.item_texts, analysed.item_norms
    if aliased:
        norms = titles_after_and(norms)
    found: list[tuple[str, bool]] = []
    free = 0
    for i in triggers:
        if i < free:
            continue
        length = organisation_at(words, norms, i)
        if length:
            found.append((" ".join(words[i : i + length]), True))
            free = i + length
            continue
        start, end = chain_at(words, norms, i) if norms[i] in BIN else person_at(words, norms, i)
        if end:
            found.append((" ".join(words[start:end]), False))
            free = end
    return found, [" ".join(words[i : i + size]) for i, size in listed]


# Phrases the rules read: titles and offices, what may follow them (adjectives of origin, offices, further
# titles, honorifics), names (given names and their forms, chains, particles, family names, علي and على, a
# word with tanween, numbers), organisations (heads, definite words, و-fields, الله, participles), and
# other words (stop words, time words, facilities, punctuation), in the orders names are written in.
_TITLE_WORDS = ["الرئيس", "وزير", "ووزير", "مدير", "الشيخ", "الأمير", "الملك", "ولي", "الفريق", "المتحدث"]
_AFTER_TITLES = [
    *["الفرنسي", "الأمريكي", "الإعلامي", "الخارجية", "عام", "الشؤون", "الصحية", "العهد", "الدولي"],
    *["للدفاع", "المدني", "السابق", "الدكتور", "سمو", "الشيخ", "صاحب", "السمو", "باسم", "الأسبق"],
]
_NAME_WORDS = [
    *["محمد", "عادل", "الجبير", "سلمان", "بن", "ابن", "عبدالعزيز", "آل", "سعود", "عبد", "الرحمن", "أبو"],
    *["بكر", "نور", "الدين", "دي", "مستورا", "علي", "على", "هولاند", "فرنسوا", "القحطاني", "ستيفان"],
    *["دومًا", "سبعة", "الوزير", "السابق", "ربه", "ال", "والد"],
]
_ORG_WORDS = [
    *["مجلس", "الأمن", "الدولي", "وزارة", "الاقتصاد", "والتخطيط", "حزب", "الله", "قوات", "الإدارة"],
    *["المصرية", "مستشفى", "الملك", "فهد", "التابع", "العام", "العامة", "هيئة", "التحقيق", "والادعاء"],
]
_OTHER_WORDS = ["في", "قال", "اليوم", "طريق", "شارع", "«", "»،", ".", "إن", "وقال", "بالمنطقة"]


def _phrase(first: list[str], rest: list[str], most: int) -> st.SearchStrategy[list[str]]:
    return st.builds(
        lambda a, b: [a, *b], st.sampled_from(first), st.lists(st.sampled_from(rest), max_size=most)
    )


_PHRASES = st.one_of(
    st.builds(
        lambda title, after, name: title + after + name,
        _phrase(_TITLE_WORDS, _TITLE_WORDS, 1),
        st.lists(st.sampled_from(_AFTER_TITLES), max_size=4),
        st.lists(st.sampled_from(_NAME_WORDS), max_size=5),
    ),
    _phrase(_NAME_WORDS, _NAME_WORDS, 6),
    _phrase(_ORG_WORDS, _ORG_WORDS, 5),
    _phrase(_OTHER_WORDS, _OTHER_WORDS, 2),
)


@pytest.mark.parametrize("listed", [False, True])
@given(phrases=st.lists(_PHRASES, max_size=6))
@settings(max_examples=3000, deadline=None)
def test_native_rules_equal_the_reference(known: KnownNames, listed: bool, phrases: list[list[str]]) -> None:
    scanner = known._scanner if listed else _TRIGGER_SCANNER
    analysed = AnalyzedText.of(" ".join(word for phrase in phrases for word in phrase))
    assert _RULES.find(analysed.analysis, scanner) == reference_rules(scanner, analysed)


@pytest.mark.parametrize(
    "text",
    [
        "قال الأمير محمد آل. ثم",  # آل before punctuation: no family name
        "وقال الأمير سلمان بن",  # the text ends at بن
        "قال الرئيس أبو",
        "أعلنت قوات الأمن أن",  # a generic body
        "على طريق الملك فهد وفي شارع الأمير سلطان وبطريق الملك خالد",  # facilities, with a prefix too
        "وقال الشيخ علي الأحمد وقال الشيخ على المنبر",  # the name علي, the preposition على
        "قال الرئيس الفرنسي الأسبق الأمريكي فرنسوا هولاند",  # adjectives of origin up to the third word
    ],
)
def test_native_rules_on_hand_picked_cases(known: KnownNames, text: str) -> None:
    analysed = AnalyzedText.of(text)
    assert _RULES.find(analysed.analysis, known._scanner) == reference_rules(known._scanner, analysed)


def test_native_scans_and_rules_agree_with_the_reference_on_saudinewsnet(
    known: KnownNames, saudinewsnet_day: list[dict[str, Any]]
) -> None:
    listed = names = 0
    for row in saudinewsnet_day:
        analysed = AnalyzedText.of(f"{row['title']}.\n{row['content']}")
        scan = reference_scan(known, analysed)
        assert native_scan(known, analysed) == scan, row["url"]
        rules = reference_rules(known._scanner, analysed)
        assert _RULES.find(analysed.analysis, known._scanner) == rules, row["url"]
        listed += len(scan[1])
        names += len(rules[0])
    # the day names listed people, and people and organisations: the comparisons compared something
    assert listed > len(saudinewsnet_day) // 2
    assert names > len(saudinewsnet_day)


def test_the_native_rules_refuse_a_missing_or_unknown_set() -> None:
    from processors._textcore import NameRules

    with pytest.raises(ValueError, match='the set "org_heads" is missing'):
        NameRules({}, generic_bodies=[])
    sets: dict[str, list[str]] = {name: [] for name in NATIVE_SETS}
    NameRules(sets, generic_bodies=[])
    with pytest.raises(ValueError, match='unknown set "nisbas"'):
        NameRules({**sets, "nisbas": []}, generic_bodies=[])

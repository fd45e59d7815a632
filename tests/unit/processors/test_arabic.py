"""Unit tests for processors.arabic: normalisation, tokens, stop words, stemming, n-grams."""

from __future__ import annotations

import collections
import doctest
import json
import os
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import processors.arabic as arabic
from processors.arabic import (
    NEWS_STOPWORDS_SET,
    STOPWORDS,
    char_ngrams,
    clear_stem_caches,
    is_stopword,
    light_stem,
    normalize,
    normalize_for_matching,
    remove_stopwords,
    stem,
    stem_tokens,
    tokenize,
    word_shingles,
)

pytestmark = pytest.mark.unit

SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or Path(__file__).resolve().parents[3] / ".." / "shared")
DATA = SHARED / "data"
needs_shared = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"shared data dir {DATA} is absent (set KHABAR_SHARED_DIR to its parent)"
)

BIDI_AND_FORMAT = [
    "\u200e", "\u200f", "\u200c", "\u200d", "\u061c", "\ufeff", "\u2060", "\u00ad",
    *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
]  # fmt: skip

NORMALIZE_CASES = [
    # diacritics and tatweel
    ("fatha-damma-kasra", "كَتَبَ الوَلَدُ", "كتب الولد"),
    ("tanween", "كتاباً جديداً", "كتابا جديدا"),
    ("shadda-sukun", "مُدَرِّسْ", "مدرس"),
    ("superscript-alef", "هٰذا", "هذا"),
    ("quranic-text", "ٱلرَّحْمَـٰنِ ۖ", "الرحمن"),
    ("quranic-honorific-marks", "النبي\u0610\u0611\u0612", "النبي"),
    ("small-high-marks", "قال\u06d6\u06d7\u06da\u06e2\u06ed", "قال"),
    ("tatweel", "جـــديـد", "جديد"),
    # hamza and alef variants
    ("alef-hamza-above", "أحمد", "احمد"),
    ("alef-hamza-below", "إسلام", "اسلام"),
    ("alef-madda", "آمن", "امن"),
    ("alef-wasla", "ٱبن", "ابن"),
    ("decomposed-alef-hamza", "ا\u0654حمد", "احمد"),
    ("decomposed-yeh-hamza-composes", "مسا\u064a\u0654ل", "مسائل"),
    ("hamza-on-yeh-kept", "مسائل", "مسائل"),
    ("hamza-on-waw-kept", "مؤتمر", "مؤتمر"),
    ("bare-hamza-kept", "سماء", "سماء"),
    ("presentation-form-alef", "\ufe83", "ا"),
    ("lam-alef-ligature", "\ufefb", "لا"),
    ("lam-alef-hamza-ligature", "\ufef7", "لا"),
    ("allah-ligature", "\ufdf2", "الله"),
    # yeh, kaf, teh marbuta
    ("alef-maqsura", "مستشفى", "مستشفي"),
    ("farsi-yeh-and-keheh", "کی", "كي"),
    ("teh-marbuta-kept-by-default", "مدينة حماة", "مدينة حماة"),
    # digits
    ("arabic-indic-digits", "٠١٢٣٤٥٦٧٨٩", "0123456789"),
    ("persian-digits", "۰۱۲۳۴۵۶۷۸۹", "0123456789"),
    ("digits-in-word", "عام ٢٠١٥م", "عام 2015م"),
    ("decimal-and-percent", "٣٫٥٪", "3.5%"),
    ("thousands-separator", "١٬٠٠٠", "1,000"),
    # punctuation
    ("arabic-comma", "دمشق، حلب", "دمشق, حلب"),
    ("arabic-semicolon", "أولاً؛ ثانياً", "اولا; ثانيا"),
    ("arabic-question-mark", "لماذا؟", "لماذا?"),
    ("guillemets", "«جيش الفتح»", '"جيش الفتح"'),
    ("curly-quotes", "“داعش” ‘x’", "\"داعش\" 'x'"),
    ("ornate-parentheses", "\ufd3fالحمد\ufd3e", "(الحمد)"),  # U+FD3F opens (Ps), U+FD3E closes (Pe)
    # latin, width, whitespace
    ("lowercase-latin", "BBC News", "bbc news"),
    ("fullwidth-latin", "ＢＢＣ", "bbc"),
    ("collapse-whitespace", "  في\t\n\nدمشق  ", "في دمشق"),
    ("nbsp", "في\u00a0دمشق", "في دمشق"),
    ("zero-width-space-separates", "في\u200bدمشق", "في دمشق"),
    ("empty", "", ""),
    ("whitespace-only", " \t\u200f ", ""),
]


@pytest.mark.parametrize(
    ("raw", "expected"), [c[1:] for c in NORMALIZE_CASES], ids=[c[0] for c in NORMALIZE_CASES]
)
def test_normalize_rules(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("mark", BIDI_AND_FORMAT, ids=[f"U+{ord(c):04X}" for c in BIDI_AND_FORMAT])
def test_bidi_and_format_marks_are_stripped(mark: str) -> None:
    assert normalize(f"{mark}دمشق{mark}الشام{mark}") == "دمشقالشام"
    assert tokenize(f"{mark}حلب {mark}") == ["حلب"]


@pytest.mark.parametrize("variant", ["أسد", "إسد", "آسد", "ٱسد", "اسد", "ا\u0654سد"])
def test_alef_variants_unify(variant: str) -> None:
    assert normalize(variant) == "اسد"


@pytest.mark.parametrize(
    ("raw", "folded"), [("مدينة", "مدينه"), ("حماة", "حماه"), ("سورية", "سوريه"), ("ة", "ه")]
)
def test_teh_marbuta_folded_only_when_asked(raw: str, folded: str) -> None:
    assert normalize(raw) == raw
    assert normalize(raw, fold_teh_marbuta=True) == folded
    assert normalize_for_matching(raw) == folded
    assert normalize_for_matching(raw) == normalize_for_matching(folded)
    assert tokenize(raw) == [raw]


def test_ligature_expansion_is_tokenised() -> None:
    assert tokenize("محمد ﷺ") == ["محمد", "صلي", "الله", "عليه", "وسلم"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("قالت المعارضة، إنّ «الأسد» يرحل؟", ["قالت", "المعارضة", "ان", "الاسد", "يرحل"]),
        ("عام ٢٠١٥: 30 كيلومتراً", ["عام", "2015", "30", "كيلومترا"]),
        ("BBC-عربي (لندن)", ["bbc", "عربي", "لندن"]),
        ("snake_case_id", ["snake", "case", "id"]),
        ("...!؟،؛", []),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


# ------------------------------------------------------------------------------------- properties

SPECIALS = [*BIDI_AND_FORMAT, "\u0640", "\u0654", "\u0655", "\u0670", " ", "\t", "\n", "\u00a0", "\u200b"]
ARABIC_CHARS = st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(min_codepoint=0x0750, max_codepoint=0x077F),
    st.characters(min_codepoint=0x0870, max_codepoint=0x08FF),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),
    st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF),
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),
    st.characters(max_codepoint=0x7F),
    st.sampled_from(SPECIALS),
)
ARABIC_TEXT = st.text(alphabet=ARABIC_CHARS, max_size=60)
ANY_TEXT = st.one_of(ARABIC_TEXT, st.text(max_size=60))
PROPERTY = settings(database=None, deadline=None, max_examples=300)


@PROPERTY
@given(ANY_TEXT, st.booleans())
def test_normalize_is_idempotent(text: str, fold: bool) -> None:
    once = normalize(text, fold_teh_marbuta=fold)
    assert normalize(once, fold_teh_marbuta=fold) == once


@PROPERTY
@given(ARABIC_TEXT)
def test_normalized_text_has_no_marks_digits_or_controls(text: str) -> None:
    out = normalize_for_matching(text)
    banned = set(SPECIALS) - {" "} | set("ٌٍَُِّْ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹أإآٱىة،؛؟«»")
    assert not banned & set(out)
    assert out == out.strip()
    assert "  " not in out


@PROPERTY
@given(ANY_TEXT)
def test_tokenize_is_idempotent(text: str) -> None:
    tokens = tokenize(text)
    assert tokenize(" ".join(tokens)) == tokens
    assert all(t and normalize(t) == t and " " not in t for t in tokens)


@PROPERTY
@given(ARABIC_TEXT)
def test_remove_stopwords_is_idempotent(text: str) -> None:
    kept = remove_stopwords(tokenize(text))
    assert remove_stopwords(kept) == kept
    assert not any(is_stopword(t) for t in kept)


@PROPERTY
@given(ARABIC_TEXT)
def test_stems_are_invariant_under_normalisation(text: str) -> None:
    for token in text.split():
        assert stem(normalize(token)) == stem(token)
        assert light_stem(normalize(token)) == light_stem(token)
        assert normalize(stem(token)) == stem(token)
        assert normalize(light_stem(token)) == light_stem(token)


@PROPERTY
@given(ANY_TEXT, st.integers(min_value=1, max_value=6), st.booleans())
def test_char_ngrams_are_invariant_under_normalisation(text: str, n: int, fold: bool) -> None:
    grams = char_ngrams(text, n, fold_teh_marbuta=fold)
    assert char_ngrams(normalize(text, fold_teh_marbuta=fold), n, fold_teh_marbuta=fold) == grams
    assert all(len(g) <= n or (g[0] == g[-1] == arabic.BOUNDARY and len(g) < n) for g in grams)


@PROPERTY
@given(st.lists(st.sampled_from(["في", "دمشق", "حلب", "الاسد", "2015"]), max_size=12), st.integers(1, 6))
def test_word_shingles_count_and_order(tokens: list[str], n: int) -> None:
    shingles = word_shingles(tokens, n)
    expected = 0 if not tokens else max(1, len(tokens) - n + 1)
    assert len(shingles) == expected
    assert word_shingles(tokens, n) == shingles
    if shingles:
        assert shingles[0].split() == tokens[:n]


def test_char_ngrams_are_word_bounded() -> None:
    grams = char_ngrams("في سورية")
    assert grams == ["#في", "في#", "#سو", "سور", "وري", "رية", "ية#"]
    assert not any(" " in g for g in grams)
    assert char_ngrams("في سورية", 1) == list("فيسورية")
    assert char_ngrams("في", 4) == ["#في#"]


@pytest.mark.parametrize("bad_n", [0, -1])
def test_ngram_sizes_must_be_positive(bad_n: int) -> None:
    with pytest.raises(ValueError, match="n must be"):
        char_ngrams("دمشق", bad_n)
    with pytest.raises(ValueError, match="n must be"):
        word_shingles(["دمشق"], bad_n)


# ------------------------------------------------------------------------------------- stop words

PLACE_NAMES = [
    "حماه", "حماة", "دمشق", "التل", "حلب", "حمص", "درعا", "إدلب", "الرقة", "دوما", "داريا", "تدمر", "منبج",
    "الباب", "قارة", "أريحا", "الحولة", "منى", "مكة", "جدة", "أبها", "العلا", "الخبر", "عمان", "صور", "قنا",
    "إب", "حجة", "العين", "هيت", "بلد", "عدن", "الزاوية", "سلا", "ذي قار", "أم قصر", "أحد", "فيينا",
]  # fmt: skip


@pytest.mark.parametrize("place", PLACE_NAMES)
def test_place_names_are_not_stopwords(place: str) -> None:
    for token in tokenize(place):
        assert not is_stopword(token)
        assert normalize_for_matching(token) not in STOPWORDS
    assert remove_stopwords(tokenize(place)) == tokenize(place)


@pytest.mark.parametrize(
    "word",
    ["في", "من", "على", "إلى", "عن", "الذي", "التي", "الذين", "هذا", "هذه", "ذلك", "هو", "هي", "نحن",
     "و", "أو", "ثم", "لكن", "أن", "إنّ", "كان", "كانت", "يكون", "ليس", "قد", "لم", "لن", "لا", "وفي", "عليه"],
)  # fmt: skip
def test_function_words_are_stopwords(word: str) -> None:
    assert is_stopword(word)


def test_stopword_set_is_normalised_and_news_list_is_opt_in() -> None:
    assert all(normalize(w) == w and w for w in STOPWORDS)
    assert all(normalize(w) == w for w in NEWS_STOPWORDS_SET)
    assert not STOPWORDS & NEWS_STOPWORDS_SET
    assert not is_stopword("قال")
    assert is_stopword("وأضاف", stopwords=STOPWORDS | NEWS_STOPWORDS_SET)
    assert remove_stopwords(["وقال", "دمشق"], stopwords=STOPWORDS | NEWS_STOPWORDS_SET) == ["دمشق"]


def test_known_collision_ala_and_the_name_ali() -> None:
    # ى -> ي folding makes على (on) and علي (Ali) one form; the preposition wins.
    assert normalize("على") == normalize("علي") == "علي"
    assert is_stopword("علي")


# --------------------------------------------------------------------------------------- stemming


def test_snowball_conflates_opposition_forms() -> None:
    assert stem("المعارضة") == stem("المعارضين") == stem("معارضة") == "معارض"
    assert stem_tokens(["المعارضة", "المعارضين", "معارضة"]) == ["معارض"] * 3


def test_assad_is_not_conflated_with_black() -> None:
    # الأسد (Assad / the lion) and أسود / الأسود (black) must stay apart under both stemmers.
    assert stem("الأسد") == stem("الاسد") == "اسد"
    assert stem("أسود") == stem("الأسود") == "اسود"
    assert light_stem("الأسد") == "اسد"
    assert light_stem("الأسود") == "اسود"


def test_stemmers_run_once_and_do_not_overstem() -> None:
    # Snowball is not idempotent; iterating it would give ريط and مد. We apply it once, as published.
    assert stem("البريطاني") == "بريطان"
    assert stem("مستشفيات") == "مستشفيا"
    assert stem("مستشفيا") == "مستشفي"
    assert light_stem("المدينة") == light_stem("مدينة") == "مدين"
    assert light_stem("الوالد") == "والد"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("والكتاب", "كتاب"),
        ("بالمعارضين", "معارض"),
        ("كالبحر", "بحر"),
        ("فالامر", "امر"),
        ("للحكومة", "حكوم"),
        ("سياراتها", "سيار"),
        ("لاعبون", "لاعب"),
        ("وزير", "زير"),  # light10 strips an initial و whenever 3 letters remain (see the xfail below)
        ("ولد", "ولد"),
        ("هي", "هي"),
    ],
)
def test_light_stem_affixes(word: str, expected: str) -> None:
    assert light_stem(word) == expected


@pytest.mark.xfail(
    strict=True, reason="known limitation: Snowball and light10 both strip the initial و of وزير"
)
@pytest.mark.parametrize("stemmer", [stem, light_stem], ids=["snowball", "light10"])
def test_initial_waw_of_a_root_is_kept(stemmer: Callable[[str], str]) -> None:
    # الوزير -> وزير but وزير -> زير, and وزارة -> زار collides with the verb زار (visited).
    assert stemmer("وزير") == stemmer("الوزير")


def test_stemming_is_thread_safe() -> None:
    words = [f"المعارضة{i}" for i in range(2000)]
    clear_stem_caches()
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(stem, words))
    clear_stem_caches()
    assert parallel == [stem(w) for w in words]


def test_docstring_examples() -> None:
    result = doctest.testmod(arabic, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 20
    assert result.failed == 0


# ------------------------------------------------------------------------------------ real corpus


@needs_shared
def test_sample_articles() -> None:
    a = (DATA / "samples" / "syria_2015_outlet_a.txt").read_text(encoding="utf-8")
    b = (DATA / "samples" / "syria_2015_outlet_b.txt").read_text(encoding="utf-8")
    tokens_a, tokens_b = tokenize(a), tokenize(b)
    assert len(tokens_a) > 300
    assert len(tokens_b) > 300
    assert tokenize(" ".join(tokens_a)) == tokens_a
    kept_a = remove_stopwords(tokens_a)
    assert {"حماة", "التل", "ادلب", "الاسد"} <= set(kept_a)
    assert "في" not in kept_a
    shared_stems = set(stem_tokens(kept_a)) & set(stem_tokens(remove_stopwords(tokens_b)))
    assert {"معارض", "اسد", "سور"} <= shared_stems


@needs_shared
def test_saudinewsnet_sample() -> None:
    archives = sorted((DATA / "saudinewsnet").glob("*.zip"))
    if not archives:
        pytest.skip(f"no SaudiNewsNet archives under {DATA / 'saudinewsnet'}")
    with zipfile.ZipFile(archives[0]) as zf:
        articles = json.loads(zf.read(zf.namelist()[0]))[:300]
    counts: collections.Counter[str] = collections.Counter()
    for article in articles:
        text = normalize(article["content"])
        assert normalize(text) == text
        counts.update(tokenize(text))
    total = sum(counts.values())
    top = [w for w, _ in counts.most_common(10)]
    assert {"في", "من", "علي"} <= set(top)
    stop_share = sum(c for w, c in counts.items() if is_stopword(w)) / total
    assert 0.15 < stop_share < 0.40
    assert not any(is_stopword(w) for w in ("الرياض", "جدة", "منى", "مكة"))


# ---------------------------------------------------------------------------------- batched forms


@pytest.mark.parametrize("fold", [False, True])
def test_normalize_many_equals_normalize_on_every_case(fold: bool) -> None:
    texts = [raw for _, raw, _ in NORMALIZE_CASES] + [
        "e\u0653\u0301",  # deleting the mark leaves a string that needs a second NFKC pass
        "\ufdfa",  # NFKC spells it out in several words
        "a\nb",  # a line break: falls back to normalize()
        "",
        "«الأسد»،",
        "ΣΑΣ",
        *BIDI_AND_FORMAT,
    ]
    expected = [normalize(t, fold_teh_marbuta=fold) for t in texts]
    assert arabic.normalize_many(texts, fold_teh_marbuta=fold) == expected
    for text, want in zip(texts, expected, strict=True):  # alone, too (a batch of one)
        assert arabic.normalize_many([text], fold_teh_marbuta=fold) == [want]


@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=8))
@settings(max_examples=300, deadline=None)
def test_normalize_many_equals_normalize_on_any_text(texts: list[str]) -> None:
    for fold in (False, True):
        assert arabic.normalize_many(texts, fold_teh_marbuta=fold) == [
            normalize(t, fold_teh_marbuta=fold) for t in texts
        ]


@needs_shared
def test_batched_forms_equal_the_single_ones_on_saudinewsnet() -> None:
    archives = sorted((DATA / "saudinewsnet").glob("*.zip"))
    if not archives:
        pytest.skip(f"no SaudiNewsNet archives under {DATA / 'saudinewsnet'}")
    with zipfile.ZipFile(archives[0]) as zf:
        articles = json.loads(zf.read(zf.namelist()[0]))[:200]
    chunks = list(dict.fromkeys(c for a in articles for c in a["content"].split()))
    for fold in (False, True):
        assert arabic.normalize_many(chunks, fold_teh_marbuta=fold) == [
            normalize(c, fold_teh_marbuta=fold) for c in chunks
        ]
    words = list(dict.fromkeys(tokenize(" ".join(chunks))))
    clear_stem_caches()
    assert arabic.stem_many(words) == [stem(w) for w in words]

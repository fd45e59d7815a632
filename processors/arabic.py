"""Pure Arabic text processing: normalisation, tokenisation, stop words, stemming and n-grams.

No I/O and no client libraries: only the standard library, PyStemmer (Snowball) and the native text core
(``processors._textcore``, built from processors/native), which runs :func:`normalize` from the tables here.
Idempotence: ``normalize(normalize(x)) == normalize(x)``; tokens and stop-word-filtered lists are stable
when fed back in; stems and n-grams do not change when their input is normalised first. Stemmers are *not*
projections: Snowball maps مستشفيات -> مستشفيا -> مستشفي -> مستشف and light10 maps الوالد -> والد -> الد.
Iterating them to a fixed point over-stems (البريطاني -> ريط, مدينة -> مد, on 13% / 3% of
SaudiNewsNet word types), so each is applied once, as published: never stem a stem.

>>> tokenize("قالت المعارضةُ السوريّة، إنّ «الأسد» يرحل؟")
['قالت', 'المعارضة', 'السورية', 'ان', 'الاسد', 'يرحل']
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Final

import Stemmer  # type: ignore[import-not-found, import-untyped, unused-ignore]

from ._textcore import Normalizer
from .arabic_stopwords import BASE_STOPWORDS, KEYWORD_FILLERS, NEWS_STOPWORDS

__all__ = [
    "BOUNDARY",
    "KEYWORD_FILLERS_SET",
    "NEWS_STOPWORDS_SET",
    "STOPWORDS",
    "TANWEEN",
    "char_ngrams",
    "clear_stem_caches",
    "is_stopword",
    "light_stem",
    "normalize",
    "normalize_for_matching",
    "normalize_many",
    "normalizer",
    "remove_stopwords",
    "stem",
    "stem_many",
    "stem_tokens",
    "tokenize",
    "word_shingles",
]

# ---------------------------------------------------------------------------------------------- tables

# Invisible format characters: bidi marks and embeddings/isolates, ZWNJ/ZWJ, Arabic letter mark, BOM,
# word joiner, soft hyphen and the Arabic number/end-of-ayah signs. Deleted.
_FORMAT_CHARS: Final = (
    "\u200c\u200d\u200e\u200f\u061c\ufeff\u2060\u00ad\u06dd\u08e2"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A)))
    + "".join(map(chr, range(0x0600, 0x0606)))
    + "\u0890\u0891"
)
# Tatweel, tashkeel (fathatan .. sukun, hamza/madda marks, U+065F), superscript alef and Quranic marks.
_MARK_RANGES: Final = (
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E8),
    (0x06EA, 0x06ED),
    (0x0898, 0x089F),
    (0x08CA, 0x08E1),
    (0x08E3, 0x08FF),
)
#: The three tanween marks (fathatan, dammatan, kasratan): a word carrying one is indefinite, never a name.
TANWEEN: Final = frozenset("\u064b\u064c\u064d")
_MARKS: Final = "\u0640" + "".join(chr(c) for lo, hi in _MARK_RANGES for c in range(lo, hi + 1))

_LETTER_MAP: Final = {
    **dict.fromkeys("أإآٱٲٳ", "ا"),  # alef with hamza above/below, madda, wasla, wavy hamza -> bare alef
    "ى": "ي",  # alef maqsura -> yeh
    "ی": "ي",  # Farsi yeh (common in scraped text) -> Arabic yeh
    "ک": "ك",  # keheh -> kaf
}
_DIGIT_MAP: Final = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}
_PUNCT_MAP: Final = {
    "،": ",", "؛": ";", "؟": "?", "«": '"', "»": '"', "‹": "'", "›": "'", "“": '"', "”": '"', "„": '"',
    "‘": "'", "’": "'", "٪": "%", "٫": ".", "٬": ",", "۔": ".", "٭": "*", "؍": "/", "﴿": "(", "﴾": ")",
    "\u200b": " ",
}  # fmt: skip

_BASE_TABLE: Final[dict[int, str | None]] = str.maketrans(
    {**_LETTER_MAP, **_DIGIT_MAP, **_PUNCT_MAP, **dict.fromkeys(_FORMAT_CHARS + _MARKS)}
)
_FOLD_TABLE: Final[dict[int, str | None]] = {**_BASE_TABLE, ord("ة"): "ه"}


def _native(table: dict[int, str | None]) -> Normalizer:
    return Normalizer(_FORMAT_CHARS, {chr(code): value or "" for code, value in table.items()})


# The normalisers run natively (processors/native/src/normalize.rs), from the tables above.
_BASE: Final = _native(_BASE_TABLE)
_FOLD: Final = _native(_FOLD_TABLE)

_TOKEN_RE: Final = re.compile(r"[^\W_]+")

#: Padding put around every word by :func:`char_ngrams`; never part of a token.
BOUNDARY: Final = "#"

# ------------------------------------------------------------------------------------------ normalise


def normalize(text: str, *, fold_teh_marbuta: bool = False) -> str:
    """Normalise Arabic (and mixed) text for indexing.

    NFKC; drop bidi/format marks, tatweel, tashkeel and Quranic marks; unify alef forms; ى -> ي; Arabic-Indic
    and Persian digits -> ASCII; Arabic punctuation -> ASCII; lower-case; collapse whitespace. Teh marbuta
    (ة -> ه) is folded only when ``fold_teh_marbuta`` is true (see :func:`normalize_for_matching`).

    >>> normalize("الْمُعَارَضَةُ")
    'المعارضة'
    >>> normalize("أحمد إلى آخر ٱلكتاب")
    'احمد الي اخر الكتاب'
    >>> normalize("جـــديـد  عام ٢٠١٥ و۱۳۹۴")
    'جديد عام 2015 و1394'
    >>> normalize("\u200fدمشق\u200e، BBC؟")
    'دمشق, bbc?'
    >>> normalize("مدينة حماة", fold_teh_marbuta=True)
    'مدينه حماه'
    >>> normalize(normalize("إِنَّ")) == normalize("إِنَّ")
    True
    """
    return (_FOLD if fold_teh_marbuta else _BASE).normalize(text)


def normalizer(*, fold_teh_marbuta: bool = False) -> Normalizer:
    """The native normaliser behind :func:`normalize` (for native code that normalises as it goes).

    >>> normalizer(fold_teh_marbuta=True).normalize("حماة") == normalize_for_matching("حماة")
    True
    """
    return _FOLD if fold_teh_marbuta else _BASE


def normalize_many(texts: Sequence[str], *, fold_teh_marbuta: bool = False) -> list[str]:
    """``[normalize(t, fold_teh_marbuta=...) for t in texts]``, in one call.

    >>> normalize_many(["الْمُعَارَضَةُ", "حماة،", "٢٠١٥"], fold_teh_marbuta=True)
    ['المعارضه', 'حماه,', '2015']
    >>> normalize_many([]), normalize_many(["a\\nb"])
    ([], ['a b'])
    """
    return (_FOLD if fold_teh_marbuta else _BASE).normalize_many(list(texts))


def normalize_for_matching(text: str) -> str:
    """:func:`normalize` with teh marbuta folded (ة -> ه), for matching spelling variants.

    >>> normalize_for_matching("سورية") == normalize_for_matching("سوريه")
    True
    >>> normalize_for_matching("حماة")
    'حماه'
    """
    return normalize(text, fold_teh_marbuta=True)


def tokenize(text: str, *, fold_teh_marbuta: bool = False) -> list[str]:
    """Split normalised text into word tokens (runs of letters and digits); punctuation is dropped. With
    ``fold_teh_marbuta``, the tokens of :func:`normalize_for_matching`.

    >>> tokenize("دي ميستورا: على الأسد الرحيل (2015)!")
    ['دي', 'ميستورا', 'علي', 'الاسد', 'الرحيل', '2015']
    >>> tokenize("٣ قتلى في حلب_اليوم"), tokenize("مدينة حماة", fold_teh_marbuta=True)
    (['3', 'قتلي', 'في', 'حلب', 'اليوم'], ['مدينه', 'حماه'])
    >>> tokenize(" ".join(tokenize("وَقالَ،المتحدث"))) == tokenize("وَقالَ،المتحدث")
    True
    """
    return _TOKEN_RE.findall(normalize(text, fold_teh_marbuta=fold_teh_marbuta))


# ----------------------------------------------------------------------------------------- stop words

#: Base stop words (function words only), normalised with :func:`normalize`.
STOPWORDS: Final[frozenset[str]] = frozenset(normalize(w) for w in BASE_STOPWORDS)
#: Opt-in news fillers (قال، أضاف، وأشار ...), normalised; use ``STOPWORDS | NEWS_STOPWORDS_SET``.
NEWS_STOPWORDS_SET: Final[frozenset[str]] = frozenset(normalize(w) for w in NEWS_STOPWORDS)
#: Words that are never keywords but stay for matching and clustering (الله، بن، بالمائة ...), normalised.
KEYWORD_FILLERS_SET: Final[frozenset[str]] = frozenset(normalize(w) for w in KEYWORD_FILLERS)


def is_stopword(token: str, *, stopwords: frozenset[str] = STOPWORDS) -> bool:
    """Whether ``token`` (normalised first) is in ``stopwords`` (which must hold normalised words).

    >>> is_stopword("في"), is_stopword("الّذي"), is_stopword("إلى"), is_stopword("دمشق")
    (True, True, True, False)
    >>> is_stopword("أضاف"), is_stopword("أضاف", stopwords=STOPWORDS | NEWS_STOPWORDS_SET)
    (False, True)
    """
    return token in stopwords or normalize(token) in stopwords


def remove_stopwords(tokens: Iterable[str], *, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Drop stop words from ``tokens``, keeping order (place names such as حماة and التل are kept).

    >>> remove_stopwords(tokenize("اقتربت الفصائل من تخوم حماة التي"))
    ['اقتربت', 'الفصائل', 'تخوم', 'حماة']
    >>> remove_stopwords(remove_stopwords(["في", "التل"])) == remove_stopwords(["في", "التل"])
    True
    """
    return [t for t in tokens if not is_stopword(t, stopwords=stopwords)]


# ------------------------------------------------------------------------------------------- stemming

_STEM_CACHE_SIZE: Final = 1 << 16
_local = threading.local()  # PyStemmer objects are not thread-safe: one per thread.


def _snowball() -> Any:
    stemmer = getattr(_local, "snowball", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("arabic")
        stemmer.maxCacheSize = 0  # the lru_cache below caches the whole normalise + stem path
        _local.snowball = stemmer
    return stemmer


@lru_cache(maxsize=_STEM_CACHE_SIZE)
def _snowball_stem(token: str) -> str:
    return normalize(str(_snowball().stemWord(normalize(token))))


def stem(token: str) -> str:
    """Snowball Arabic stem of the normalised token (one pass, cached; ``stem(normalize(w)) == stem(w)``).

    >>> [stem(w) for w in ("المعارضة", "المعارضين", "معارضة")]
    ['معارض', 'معارض', 'معارض']
    >>> stem("الأسد"), stem("أسود")
    ('اسد', 'اسود')
    >>> stem("سورية"), stem(normalize("سُوريّة"))
    ('سور', 'سور')
    """
    return _snowball_stem(token)


def stem_tokens(tokens: Iterable[str]) -> list[str]:
    """:func:`stem` every token.

    >>> stem_tokens(tokenize("المعارضة السورية"))
    ['معارض', 'سور']
    """
    return [_snowball_stem(t) for t in tokens]


def stem_many(tokens: Sequence[str]) -> list[str]:
    """``[stem(t) for t in tokens]`` in three batched calls (normalise, Snowball, normalise), without the
    cache: for many tokens not seen before.

    >>> stem_many(["المعارضة", "الأسد"]) == [stem("المعارضة"), stem("الأسد")]
    True
    """
    if not tokens:
        return []
    return normalize_many([str(s) for s in _snowball().stemWords(normalize_many(tokens))])


_LIGHT_PREFIXES: Final = ("وال", "بال", "كال", "فال", "لل", "ال")
_LIGHT_SUFFIXES: Final = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def _light10_once(word: str) -> str:
    # Larkey, Ballesteros & Connell (2005) light10; the same affixes as Lucene's ArabicStemmer.
    if word.startswith("و") and len(word) >= 4:
        word = word[1:]
    for prefix in _LIGHT_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _LIGHT_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=_STEM_CACHE_SIZE)
def _light_stem(token: str) -> str:
    return _light10_once(normalize(token))


def light_stem(token: str) -> str:
    """Light10 prefix/suffix stripping of the normalised token (one pass, cached).

    >>> [light_stem(w) for w in ("والمعارضة", "بالمعارضين", "معارضتها", "الكتابات")]
    ['معارض', 'معارض', 'معارضت', 'كتاب']
    >>> light_stem("الأسد"), light_stem("وللمعارضة")
    ('اسد', 'معارض')
    """
    return _light_stem(token)


def clear_stem_caches() -> None:
    """Empty the :func:`stem` and :func:`light_stem` caches (for benchmarks and tests).

    >>> clear_stem_caches()
    """
    _snowball_stem.cache_clear()
    _light_stem.cache_clear()


# ------------------------------------------------------------------------------------------- n-grams


def char_ngrams(text: str, n: int = 3, *, fold_teh_marbuta: bool = False) -> list[str]:
    """Character n-grams of each normalised word, padded with :data:`BOUNDARY` when ``n > 1``; a word
    shorter than ``n`` after padding yields itself once.

    >>> char_ngrams("في سورية")
    ['#في', 'في#', '#سو', 'سور', 'وري', 'رية', 'ية#']
    >>> char_ngrams("و", n=4), char_ngrams("سورية", n=6, fold_teh_marbuta=True), char_ngrams("في", n=1)
    (['#و#'], ['#سوريه', 'سوريه#'], ['ف', 'ي'])
    >>> char_ngrams(normalize("سوريّة")) == char_ngrams("سوريّة")
    True
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    text = normalize(text, fold_teh_marbuta=fold_teh_marbuta)
    grams: list[str] = []
    for word in _TOKEN_RE.findall(text):
        padded = f"{BOUNDARY}{word}{BOUNDARY}" if n > 1 else word
        if len(padded) <= n:
            grams.append(padded)
        else:
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def word_shingles(tokens: Sequence[str], n: int = 5) -> list[str]:
    """Space-joined windows of ``n`` consecutive tokens; fewer than ``n`` tokens give one shingle.

    >>> word_shingles(["رحيل", "الاسد", "عن", "السلطه"], n=3)
    ['رحيل الاسد عن', 'الاسد عن السلطه']
    >>> word_shingles(["دمشق"], n=5), word_shingles([], n=5)
    (['دمشق'], [])
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not tokens:
        return []
    if len(tokens) <= n:
        return [" ".join(tokens)]
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]

"""One analysis of a text, shared by the enrichment modules (pure): each word normalised and stemmed once.

Language, word count, keywords, places and names all need the words of the same text, normalised. Rather
than each module tokenising and normalising the text again, :meth:`AnalyzedText.of` splits it at
whitespace once, and every piece (a *chunk*: a word with its punctuation, ``«الأسد»،``) is analysed once
and cached, as is every word inside it, so the cost of an article is mostly lookups. The chunk and word
tables run natively (processors/native/src/chunks.rs); the chunks and words an article brings that are not
cached yet are analysed together, with one call of :func:`terms_of` (one Snowball call) for their keyword
terms. What a word's analysis is, is :func:`analyse_word` here, the reference the native table is tested
against:

* a :class:`Word` is a run of letters and digits, tashkeel and tatweel included (``الْمُعَارَضَةُ`` is one
  word), with its :func:`~processors.arabic.normalize` form, its teh-marbuta-folded matching tokens, its
  keyword term (Snowball stem, ``None`` for stop words, numbers and one-letter words) and its display form;
* :attr:`AnalyzedText.items` holds the words with :data:`BREAK` wherever punctuation or a quote mark
  separates two words (names never run across it);
* :attr:`AnalyzedText.token_count` equals ``len(tokenize(text))``, computed without normalising the text.

>>> a = AnalyzedText.of("قال المبعوث «دي ميستورا»: حماة.")
>>> [w.text for w in a.words], a.token_count
(['قال', 'المبعوث', 'دي', 'ميستورا', 'حماة'], 5)
>>> a.match_tokens[-1], a.terms[:2], a.keywords[0]
('حماه', ['مبعوث', 'دي'], ('مبعوث', 'المبعوث'))
>>> ["|" if w is BREAK else w.text for w in a.items]
['قال', 'المبعوث', '|', 'دي', 'ميستورا', '|', 'حماة', '|']
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ._textcore import Analysis, ChunkTable
from .arabic import (
    KEYWORD_FILLERS_SET,
    NEWS_STOPWORDS_SET,
    STOPWORDS,
    TANWEEN,
    normalize_many,
    normalizer,
    stem_many,
)

__all__ = [
    "BREAK",
    "AnalyzedText",
    "Word",
    "analyse_word",
    "clear_analysis_caches",
    "keyword_term",
    "terms_of",
]

_TOKEN_RE: Final = re.compile(r"[^\W_]+")
_DISPLAY_TABLE: Final = str.maketrans(dict.fromkeys([*map(chr, range(0x064B, 0x0660)), "\u0670", "\u0640"]))
_KEYWORD_STOP: Final = STOPWORDS | NEWS_STOPWORDS_SET | KEYWORD_FILLERS_SET
_FATHATAN: Final = "\u064b"
_CACHE_SIZE: Final = 1 << 18


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text and what the enrichment modules need of it."""

    text: str
    #: :func:`normalize` of ``text``.
    norm: str
    #: ``norm`` with teh marbuta folded (ة -> ه), for matching names and places.
    folded: str
    #: The tokens of ``folded`` (one, except for ligatures such as ﷺ that NFKC spells out), for the
    #: gazetteer. A word written with tanween (دومًا "always") is indefinite, never a place's name: its tokens
    #: keep a tanween mark (دوما + ً) so that no name matches them.
    match_tokens: tuple[str, ...]
    #: The keyword term (stem), or None for stop words, numbers and one-letter words.
    term: str | None
    #: ``(term, display form)``: the form is ``text`` without tashkeel and tatweel (hamza kept).
    keyword: tuple[str, str] | None
    #: Whether the word is letters only (names are made of such words; digits are skipped).
    alphabetic: bool


#: Marks punctuation between two words in :attr:`AnalyzedText.items`.
BREAK: Final = Word("", "", "|", (), None, None, alphabetic=True)


def keyword_term(norm: str) -> str | None:
    """The keyword term of a normalised word: its Snowball stem (وال/فال dropped first), or None for stop
    words, numbers, one-letter words and one-letter stems.

    >>> keyword_term("والاسد"), keyword_term("في"), keyword_term("2015"), keyword_term("والله")
    ('اسد', None, None, None)
    """
    return terms_of([norm])[0]


def terms_of(norms: Sequence[str]) -> list[str | None]:
    """:func:`keyword_term` of every normalised word, with one Snowball call for all of them.

    >>> terms_of(["والاسد", "في", "المعارضة"])
    ['اسد', None, 'معارض']
    """
    inputs = list(map(_stem_input, norms))
    stems = iter(stem_many([x for x in inputs if x is not None]))
    terms = [None if x is None else next(stems) for x in inputs]
    # Interned: the words of one stem share one string, so counting touches less memory.
    return [sys.intern(t) if t is not None and len(t) >= 2 else None for t in terms]


def _stem_input(norm: str) -> str | None:
    """What :func:`keyword_term` stems (None when the word has no term whatever its stem)."""
    if len(norm) < 2 or norm in _KEYWORD_STOP or norm.isdigit() or " " in norm:
        return None
    # Snowball keeps the conjunction of وال/فال (والاسد): drop it first, as the article follows.
    if norm.startswith(("وال", "فال")) and len(norm) > 4:
        norm = norm[1:]
        return None if norm in _KEYWORD_STOP else norm
    return norm


# Word analyses by word, for analyse_word. Emptied when full rather than LRU: a stream revisits its
# vocabulary in no particular order, and an LRU smaller than the working set would miss on every cyclic
# pass. A cache, not state: losing it costs only time.
_words: dict[str, Word] = {}


def analyse_word(text: str) -> Word:
    """The analysis of one word (cached): the reference for the native chunk table's words.

    >>> w = analyse_word("سوريّة")
    >>> w.norm, w.folded, w.term, w.keyword
    ('سورية', 'سوريه', 'سور', ('سور', 'سورية'))
    """
    word = _words.get(text)
    if word is None:
        if len(_words) > _CACHE_SIZE:
            _words.clear()
        word = _words[text] = _analyse(text)
    return word


def _analyse(text: str) -> Word:
    norm = normalize_many([text])[0]
    term = terms_of([norm])[0]
    folded = norm.replace("ة", "ه")
    tokens = tuple(_TOKEN_RE.findall(folded))
    if not TANWEEN.isdisjoint(text):
        tokens = tuple(token + _FATHATAN for token in tokens)
    return Word(
        text=text,
        norm=norm,
        folded=folded,
        match_tokens=tokens,
        term=term,
        keyword=None if term is None else (term, text.translate(_DISPLAY_TABLE)),
        alphabetic=folded.isalpha(),
    )


# Chunks and their words, analysed natively (processors/native/src/chunks.rs). The keyword terms of words of
# Arabic letters only are made there too (the same stop words, the same Snowball algorithm: tested against
# terms_of); terms_of makes the others.
_chunk_table: Final = ChunkTable(
    normalizer(), terms_of, capacity=_CACHE_SIZE, keyword_stop=sorted(_KEYWORD_STOP)
)


class AnalyzedText:
    """The words of a text, analysed once (see the module docstring). Each accessor lays the cached
    analyses of the text's chunks end to end (one native pass) and returns a new list; call it once."""

    __slots__ = ("_analysis",)

    def __init__(self, analysis: Analysis) -> None:
        self._analysis = analysis

    @classmethod
    def of(cls, text: str) -> AnalyzedText:
        """Analyse ``text``.

        >>> AnalyzedText.of("").words, AnalyzedText.of("٣ قتلى").token_count
        ([], 2)
        """
        return cls(_chunk_table.analyse(text))

    @property
    def analysis(self) -> Analysis:
        """The native analysis, for the native consumers (the gazetteer's scan)."""
        return self._analysis

    def __add__(self, other: AnalyzedText) -> AnalyzedText:
        """The analysis of the two texts joined by whitespace."""
        return AnalyzedText(self._analysis + other._analysis)

    @property
    def words(self) -> list[Word]:
        """Every word, in order."""
        return list(map(analyse_word, self._analysis.words))

    @property
    def items(self) -> list[Word]:
        """The letter-only words with :data:`BREAK` where punctuation separates two of them."""
        texts, norms = self.item_texts, self.item_norms
        return [BREAK if n == BREAK.folded else analyse_word(t) for t, n in zip(texts, norms, strict=True)]

    @property
    def token_count(self) -> int:
        """``len(tokenize(text))``."""
        return self._analysis.token_count

    @property
    def terms(self) -> list[str]:
        """The keyword terms (:attr:`Word.term`) of the words that have one."""
        return self._analysis.terms

    @property
    def keywords(self) -> list[tuple[str, str]]:
        """``(term, display form)`` of the words that have a term (parallel to :attr:`terms`)."""
        return self._analysis.keywords

    @property
    def match_tokens(self) -> list[str]:
        """The folded matching tokens of every word (for the gazetteer)."""
        return self._analysis.match_tokens

    @property
    def item_texts(self) -> list[str]:
        """:attr:`items` as written ("" for a break)."""
        return self._analysis.item_texts

    @property
    def item_norms(self) -> list[str]:
        """:attr:`items` folded ("|" for a break)."""
        return self._analysis.item_norms


def clear_analysis_caches() -> None:
    """Empty the word and chunk caches (for benchmarks and tests).

    >>> clear_analysis_caches()
    """
    _words.clear()
    _chunk_table.clear()

"""One analysis of a text, shared by the enrichment modules (pure): each word normalised and stemmed once.

Language, word count, keywords, places and names all need the words of the same text, normalised. Rather
than each module tokenising and normalising the text again, :meth:`AnalyzedText.of` splits it at
whitespace once, and every piece (a *chunk*: a word with its punctuation, ``«الأسد»،``) is analysed once
and cached, as is every word inside it, so the cost of an article is mostly dictionary lookups. The
chunks and words an article brings that are not cached yet are analysed together: one
:func:`~processors.arabic.normalize_many` pass and one Snowball call for all of them (the same results
as word by word, tested), and a chunk that is one word takes a short path:

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
from dataclasses import dataclass
from itertools import chain, compress
from operator import not_
from typing import Final, NamedTuple

from ._textcore import Analysis, ChunkTable
from .arabic import (
    KEYWORD_FILLERS_SET,
    NEWS_STOPWORDS_SET,
    STOPWORDS,
    TANWEEN,
    normalize_many,
    stem,
    stem_many,
)

__all__ = ["BREAK", "AnalyzedText", "Word", "analyse_word", "clear_analysis_caches", "keyword_term"]

_WORD_RE: Final = re.compile(r"[^\W_]+(?:[\u064b-\u065f\u0670\u0640]+[^\W_]*)*")
_TOKEN_RE: Final = re.compile(r"[^\W_]+")
_DISPLAY_TABLE: Final = str.maketrans(dict.fromkeys([*map(chr, range(0x064B, 0x0660)), "\u0670", "\u0640"]))
_KEYWORD_STOP: Final = STOPWORDS | NEWS_STOPWORDS_SET | KEYWORD_FILLERS_SET
# A chunk made only of these characters normalises word by word: its words are exactly its tokens. Others
# (format characters, Quranic marks, symbols NFKC turns into letters) are counted by tokenize().
_PLAIN_CHUNK: Final = re.compile(
    r"[\u0621-\u063a\u0641-\u065f\u0660-\u0669\u0670\u0640\u0021-\u007e،؛؟«»“”‘’–—…٪٫٬]*"
)
_FATHATAN: Final = "\u064b"
_WORD_CACHE_SIZE: Final = 1 << 18
_CHUNK_CACHE_SIZE: Final = 1 << 18


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
    stemmed = _stem_input(norm)
    if stemmed is None:
        return None
    term = stem(stemmed)
    return term if len(term) >= 2 else None


def _stem_input(norm: str) -> str | None:
    """What :func:`keyword_term` stems (None when the word has no term whatever its stem)."""
    if len(norm) < 2 or norm in _KEYWORD_STOP or norm.isdigit() or " " in norm:
        return None
    # Snowball keeps the conjunction of وال/فال (والاسد): drop it first, as the article follows.
    if norm.startswith(("وال", "فال")) and len(norm) > 4:
        norm = norm[1:]
        return None if norm in _KEYWORD_STOP else norm
    return norm


# Word analyses by word, and chunk analyses by chunk. Emptied when full rather than LRU: a stream revisits
# its vocabulary in no particular order, and an LRU smaller than the working set would miss on every
# cyclic pass. Caches, not state: losing them costs only time.
_words: dict[str, Word] = {}


def analyse_word(text: str) -> Word:
    """The analysis of one word (cached).

    >>> w = analyse_word("سوريّة")
    >>> w.norm, w.folded, w.term, w.keyword
    ('سورية', 'سوريه', 'سور', ('سور', 'سورية'))
    """
    word = _words.get(text)
    if word is None:
        _make_room()
        _analyse_new_words([text])
        word = _words[text]
    return word


def _make_room() -> None:
    """Empty the word cache when it is full (before new words are decided on, so none is lost midway)."""
    if len(_words) > _WORD_CACHE_SIZE:
        _words.clear()


def _analyse_new_words(texts: list[str]) -> None:
    """Analyse distinct words not in the cache, in batches (one normalisation and one Snowball call)."""
    norms = normalize_many(texts)
    inputs = list(map(_stem_input, norms))
    stems = iter(stem_many([x for x in inputs if x is not None]))
    for text, norm, stem_input in zip(texts, norms, inputs, strict=True):
        term = next(stems) if stem_input is not None else None
        if term is not None:
            # Interned: the words of one stem share one string, so counting touches less memory.
            term = sys.intern(term) if len(term) >= 2 else None
        folded = norm.replace("ة", "ه")
        # A one-token word shares its folded string with its token (fewer objects for the modules to touch).
        tokens = (folded,) if _TOKEN_RE.fullmatch(folded) else tuple(_TOKEN_RE.findall(folded))
        if not TANWEEN.isdisjoint(text):
            tokens = tuple(token + _FATHATAN for token in tokens)
        _words[text] = Word(
            text=text,
            norm=norm,
            folded=folded,
            match_tokens=tokens,
            term=term,
            keyword=None if term is None else (term, text.translate(_DISPLAY_TABLE)),
            alphabetic=folded.isalpha(),
        )


class _Chunk(NamedTuple):
    """What the modules need of one whitespace-separated piece of text, flattened over its words."""

    words: tuple[Word, ...]
    token_count: int
    terms: tuple[str, ...]
    keywords: tuple[tuple[str, str], ...]
    match_tokens: tuple[str, ...]
    #: Texts and folded forms of the letter-only words, with "" / "|" for a :data:`BREAK`.
    item_texts: tuple[str, ...]
    item_norms: tuple[str, ...]


def _analyse_new_chunks(chunks: list[str]) -> list[_Chunk]:
    """Analyse distinct chunks: their words first (the new ones in one batch), then each chunk. Most
    chunks are one word without punctuation, and take a short path."""
    _make_room()
    single = [m is not None for m in map(_WORD_RE.fullmatch, chunks)]
    split = {chunk: _split_chunk(chunk) for chunk in compress(chunks, map(not_, single))}
    wanted = chain(compress(chunks, single), chain.from_iterable(texts for texts, _, _ in split.values()))
    new = [w for w in dict.fromkeys(wanted) if w not in _words]
    if new:
        _analyse_new_words(new)
    # Chunks that are not plain are counted by tokenize(): its tokens of the normalised chunk.
    odd = [chunk for chunk in chunks if _PLAIN_CHUNK.fullmatch(chunk) is None]
    odd_counts = dict(zip(odd, (len(_TOKEN_RE.findall(n)) for n in normalize_many(odd)), strict=True))
    return [
        _one_word_chunk(_words[chunk], odd_counts.get(chunk))
        if one
        else _chunk_of(*split[chunk], odd_counts.get(chunk))
        for chunk, one in zip(chunks, single, strict=True)
    ]


def _split_chunk(chunk: str) -> tuple[list[str], list[bool], bool]:
    """The words of a chunk, whether punctuation precedes each, and whether punctuation ends it."""
    texts: list[str] = []
    breaks: list[bool] = []
    end = 0
    for match in _WORD_RE.finditer(chunk):
        breaks.append(match.start() > end)
        end = match.end()
        texts.append(match.group())
    return texts, breaks, end < len(chunk)


def _one_word_chunk(word: Word, count: int | None, lead: bool = False, trail: bool = False) -> _Chunk:
    """The chunk of one word, with punctuation before it (``lead``) or after it (``trail``) or neither."""
    term, keyword = word.term, word.keyword
    texts: tuple[str, ...] = (word.text,) if word.alphabetic else ()
    norms: tuple[str, ...] = (word.folded,) if word.alphabetic else ()
    if lead:
        texts, norms = ("", *texts), (BREAK.folded, *norms)
    if trail:
        texts, norms = (*texts, ""), (*norms, BREAK.folded)
    return _Chunk(
        (word,),
        len(word.match_tokens) if count is None else count,
        () if term is None else (term,),
        () if keyword is None else (keyword,),
        word.match_tokens,
        texts,
        norms,
    )


def _chunk_of(texts: list[str], breaks: list[bool], trailing: bool, count: int | None) -> _Chunk:
    if len(texts) == 1:
        return _one_word_chunk(_words[texts[0]], count, breaks[0], trailing)
    words = tuple(map(_words.__getitem__, texts))
    items: list[Word] = []
    for word, brk in zip(words, breaks, strict=True):
        if brk:
            items.append(BREAK)
        if word.alphabetic:
            items.append(word)
    if trailing:
        items.append(BREAK)
    return _Chunk(
        words=words,
        token_count=sum(len(w.match_tokens) for w in words) if count is None else count,
        terms=tuple(w.term for w in words if w.term is not None),
        keywords=tuple(w.keyword for w in words if w.keyword is not None),
        match_tokens=tuple(t for w in words for t in w.match_tokens),
        item_texts=tuple(w.text for w in items),
        item_norms=tuple(w.folded for w in items),
    )


# The chunk cache and the flattening run natively (processors/native/src/chunks.rs); what a chunk's analysis
# is stays decided here, by _analyse_new_chunks.
_chunk_table: Final = ChunkTable(_analyse_new_chunks, capacity=_CHUNK_CACHE_SIZE)
# Positions of the list fields in _Chunk, for Analysis.field.
_WORDS, _TERMS, _KEYWORDS, _MATCH_TOKENS, _ITEM_TEXTS, _ITEM_NORMS = (
    _Chunk._fields.index(name)
    for name in ("words", "terms", "keywords", "match_tokens", "item_texts", "item_norms")
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
        return cls(_chunk_table.analyse(text.split()))

    @classmethod
    def of_chunks(cls, chunks: list[str]) -> AnalyzedText:
        """Analyse a text already split at whitespace (``text.split()``).

        >>> AnalyzedText.of_chunks(["حلب،", "دمشق"]).words == AnalyzedText.of("حلب، دمشق").words
        True
        """
        return cls(_chunk_table.analyse(chunks))

    def __add__(self, other: AnalyzedText) -> AnalyzedText:
        """The analysis of the two texts joined by whitespace."""
        return AnalyzedText(self._analysis + other._analysis)

    @property
    def words(self) -> list[Word]:
        """Every word, in order."""
        return self._analysis.field(_WORDS)

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
        return self._analysis.field(_TERMS)

    @property
    def keywords(self) -> list[tuple[str, str]]:
        """``(term, display form)`` of the words that have a term (parallel to :attr:`terms`)."""
        return self._analysis.field(_KEYWORDS)

    @property
    def match_tokens(self) -> list[str]:
        """The folded matching tokens of every word (for the gazetteer)."""
        return self._analysis.field(_MATCH_TOKENS)

    @property
    def item_texts(self) -> list[str]:
        """:attr:`items` as written ("" for a break)."""
        return self._analysis.field(_ITEM_TEXTS)

    @property
    def item_norms(self) -> list[str]:
        """:attr:`items` folded ("|" for a break)."""
        return self._analysis.field(_ITEM_NORMS)


def clear_analysis_caches() -> None:
    """Empty the word and chunk caches (for benchmarks and tests).

    >>> clear_analysis_caches()
    """
    _words.clear()
    _chunk_table.clear()

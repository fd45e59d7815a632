"""One analysis of a text, shared by the enrichment modules (pure): each word normalised and stemmed once.

Language, word count, keywords, places and names all need the words of the same text, normalised. Rather
than each module tokenising and normalising the text again, :meth:`AnalyzedText.of` splits it at
whitespace once, and every piece (a *chunk*: a word with its punctuation, ``«الأسد»،``) is analysed once
and cached, as is every word inside it, so the cost of an article is mostly dictionary lookups:

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
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import Any, Final

from .arabic import NEWS_STOPWORDS_SET, STOPWORDS, normalize, stem, tokenize

__all__ = ["BREAK", "AnalyzedText", "Word", "analyse_word", "clear_analysis_caches", "keyword_term"]

_WORD_RE: Final = re.compile(r"[^\W_]+(?:[\u064b-\u065f\u0670\u0640]+[^\W_]*)*")
_TOKEN_RE: Final = re.compile(r"[^\W_]+")
_DISPLAY_TABLE: Final = str.maketrans(dict.fromkeys([*map(chr, range(0x064B, 0x0660)), "\u0670", "\u0640"]))
_KEYWORD_STOP: Final = STOPWORDS | NEWS_STOPWORDS_SET
# A chunk made only of these characters normalises word by word: its words are exactly its tokens. Others
# (format characters, Quranic marks, symbols NFKC turns into letters) are counted by tokenize().
_PLAIN_CHUNK: Final = re.compile(
    r"[\u0621-\u063a\u0641-\u065f\u0660-\u0669\u0670\u0640\u0021-\u007e،؛؟«»“”‘’–—…٪٫٬]*"
)
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
    #: The tokens of ``folded`` (one, except for ligatures such as ﷺ that NFKC spells out).
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

    >>> keyword_term("والاسد"), keyword_term("في"), keyword_term("2015")
    ('اسد', None, None)
    """
    if len(norm) < 2 or norm in _KEYWORD_STOP or norm.isdigit() or " " in norm:
        return None
    # Snowball keeps the conjunction of وال/فال (والاسد): drop it first, as the article follows.
    term = stem(norm[1:] if norm.startswith(("وال", "فال")) and len(norm) > 4 else norm)
    return term if len(term) >= 2 else None


@lru_cache(maxsize=_WORD_CACHE_SIZE)
def analyse_word(text: str) -> Word:
    """The analysis of one word (cached).

    >>> w = analyse_word("سوريّة")
    >>> w.norm, w.folded, w.term, w.keyword
    ('سورية', 'سوريه', 'سور', ('سور', 'سورية'))
    """
    norm = normalize(text)
    folded = norm.replace("ة", "ه")
    term = keyword_term(norm)
    return Word(
        text=text,
        norm=norm,
        folded=folded,
        match_tokens=tuple(_TOKEN_RE.findall(folded)),
        term=term,
        keyword=None if term is None else (term, text.translate(_DISPLAY_TABLE)),
        alphabetic=folded.isalpha(),
    )


@dataclass(frozen=True, slots=True)
class _Chunk:
    """What the modules need of one whitespace-separated piece of text, flattened over its words."""

    words: tuple[Word, ...]
    token_count: int
    terms: tuple[str, ...]
    keywords: tuple[tuple[str, str], ...]
    match_tokens: tuple[str, ...]
    #: Texts and folded forms of the letter-only words, with "" / "|" for a :data:`BREAK`.
    item_texts: tuple[str, ...]
    item_norms: tuple[str, ...]


def _analyse_chunk(chunk: str) -> _Chunk:
    words: list[Word] = []
    items: list[Word] = []
    end = 0
    for match in _WORD_RE.finditer(chunk):
        if match.start() > end:
            items.append(BREAK)
        end = match.end()
        word = analyse_word(match.group())
        words.append(word)
        if word.alphabetic:
            items.append(word)
    if end < len(chunk):
        items.append(BREAK)
    plain = _PLAIN_CHUNK.fullmatch(chunk) is not None
    return _Chunk(
        words=tuple(words),
        token_count=sum(len(w.match_tokens) for w in words) if plain else len(tokenize(chunk)),
        terms=tuple(w.term for w in words if w.term is not None),
        keywords=tuple(w.keyword for w in words if w.keyword is not None),
        match_tokens=tuple(t for w in words for t in w.match_tokens),
        item_texts=tuple(w.text for w in items),
        item_norms=tuple(w.folded for w in items),
    )


# Chunk analyses by chunk. Emptied when full rather than LRU: a stream revisits its vocabulary in no
# particular order, and an LRU smaller than the working set would miss on every cyclic pass. A cache,
# not state: losing it costs only time.
_chunks: dict[str, _Chunk] = {}


def _analyse_chunks(chunks: list[str]) -> list[_Chunk]:
    found = list(map(_chunks.get, chunks))
    if None in found:
        if len(_chunks) > _CHUNK_CACHE_SIZE:
            _chunks.clear()
        for i, chunk in enumerate(chunks):
            if found[i] is None:
                found[i] = _chunks[chunk] = _analyse_chunk(chunk)
    return found  # type: ignore[return-value]  # every None was replaced


def _flat(chunks: list[_Chunk], field: str) -> list[Any]:
    return list(chain.from_iterable(map(attrgetter(field), chunks)))


class AnalyzedText:
    """The words of a text, analysed once (see the module docstring). Each accessor flattens the cached
    analyses of the text's chunks (one pass in C); call it once."""

    __slots__ = ("_chunks",)

    def __init__(self, chunks: list[_Chunk]) -> None:
        self._chunks = chunks

    @classmethod
    def of(cls, text: str) -> AnalyzedText:
        """Analyse ``text``.

        >>> AnalyzedText.of("").words, AnalyzedText.of("٣ قتلى").token_count
        ([], 2)
        """
        return cls(_analyse_chunks(text.split()))

    @classmethod
    def of_chunks(cls, chunks: list[str]) -> AnalyzedText:
        """Analyse a text already split at whitespace (``text.split()``).

        >>> AnalyzedText.of_chunks(["حلب،", "دمشق"]).words == AnalyzedText.of("حلب، دمشق").words
        True
        """
        return cls(_analyse_chunks(chunks))

    def __add__(self, other: AnalyzedText) -> AnalyzedText:
        """The analysis of the two texts joined by whitespace."""
        return AnalyzedText(self._chunks + other._chunks)

    @property
    def words(self) -> list[Word]:
        """Every word, in order."""
        return _flat(self._chunks, "words")

    @property
    def items(self) -> list[Word]:
        """The letter-only words with :data:`BREAK` where punctuation separates two of them."""
        texts, norms = self.item_texts, self.item_norms
        return [BREAK if n == BREAK.folded else analyse_word(t) for t, n in zip(texts, norms, strict=True)]

    @property
    def token_count(self) -> int:
        """``len(tokenize(text))``."""
        return sum(map(_TOKEN_COUNT, self._chunks))

    @property
    def terms(self) -> list[str]:
        """The keyword terms (:attr:`Word.term`) of the words that have one."""
        return _flat(self._chunks, "terms")

    @property
    def keywords(self) -> list[tuple[str, str]]:
        """``(term, display form)`` of the words that have a term (parallel to :attr:`terms`)."""
        return _flat(self._chunks, "keywords")

    @property
    def match_tokens(self) -> list[str]:
        """The folded matching tokens of every word (for the gazetteer)."""
        return _flat(self._chunks, "match_tokens")

    @property
    def item_texts(self) -> list[str]:
        """:attr:`items` as written ("" for a break)."""
        return _flat(self._chunks, "item_texts")

    @property
    def item_norms(self) -> list[str]:
        """:attr:`items` folded ("|" for a break)."""
        return _flat(self._chunks, "item_norms")


_TOKEN_COUNT: Final = attrgetter("token_count")


def clear_analysis_caches() -> None:
    """Empty the word and chunk caches (for benchmarks and tests).

    >>> clear_analysis_caches()
    """
    analyse_word.cache_clear()
    _chunks.clear()

"""What the clusterer reads from one article: stemmed term counts, title stems, entity keys. Pure.

Terms are Snowball stems of normalised, stop-word-filtered words (:mod:`processors.arabic`). The body profile
counts the title plus the first ``max_body_tokens`` words of the content (``untitled_body_tokens`` when there
is no headline); titles are matched on their own as well, since a headline names the event. Places and
people/organisations (when enrichment found them) become keys such as ``p:دمشق`` and ``e:دي ميستورا``.

>>> from datetime import UTC, datetime
>>> from contracts.schemas import EnrichedArticle
>>> art = EnrichedArticle(id="ab" * 8, url="u", canonical_url="u", outlet="x", title="الأسد يرحل عن دمشق",
...     content="", published=datetime(2015, 8, 8, tzinfo=UTC), fetched_at=datetime(2015, 8, 8, tzinfo=UTC),
...     language="ar", word_count=4, reading_time_s=1)
>>> extract_features(art, ClusterConfig()).title_terms
('اسد', 'يرحل', 'دمشق')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain
from typing import Final

from contracts.schemas import EnrichedArticle
from processors.arabic import (
    NEWS_STOPWORDS_SET,
    STOPWORDS,
    char_ngrams,
    normalize,
    normalize_many,
    stem,
    tokenize,
)
from processors.batch_cache import BatchCache

from .config import ClusterConfig
from .embedding import Embedder, embedding_text, unit_embedding

__all__ = ["ArticleFeatures", "extract_features", "headline_features", "terms_of", "title_grams_of"]

_STOPWORDS: Final = STOPWORDS | NEWS_STOPWORDS_SET
#: Chunks analysed per batch by a limited :func:`terms_of` (a 300-word lead is one or two batches).
_SLICE: Final = 160
_CHUNK_CACHE_SIZE: Final = 1 << 18
_TOKEN_RE: Final = re.compile(r"[^\W_]+")  # processors.arabic.tokenize's tokens, on normalised text


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """One article as the clusterer sees it."""

    article_id: str
    outlet: str
    published: datetime
    title: str
    #: Stem -> count over the title and the body's first words.
    terms: dict[str, int]
    #: Distinct title stems, in order of appearance.
    title_terms: tuple[str, ...]
    #: ``p:`` place and ``e:`` entity keys (empty without enrichment).
    entity_keys: tuple[str, ...]
    #: Distinct ``g:`` character n-grams of the title's content words (robust to clitics and spellings).
    title_grams: tuple[str, ...] = ()
    #: Unit sentence embedding of the title and lead (empty without an embedder).
    embedding: tuple[float, ...] = ()


def terms_of(text: str, *, min_length: int = 2, limit: int | None = None) -> list[str]:
    """Stems of the content words of ``text``, in order (stop words and too-short words dropped).

    >>> terms_of("قال المبعوث دي ميستورا إن على الأسد الرحيل")
    ['مبعوث', 'دي', 'ميستور', 'اسد', 'رحيل']
    >>> terms_of("قال المبعوث دي ميستورا", limit=1)
    ['مبعوث']
    """
    chunks = text.split()  # normalising and tokenising act within whitespace-separated chunks
    cache = _chunk_terms(min_length)
    if limit is None:
        return list(chain.from_iterable(cache.get_many(chunks)))
    out: list[str] = []
    for start in range(0, len(chunks), _SLICE):  # a limited call stops analysing once it has enough
        out.extend(chain.from_iterable(cache.get_many(chunks[start : start + _SLICE])))
        if len(out) >= limit:
            return out[:limit]
    return out


@lru_cache(maxsize=4)
def _chunk_terms(min_length: int) -> BatchCache[tuple[str, ...]]:
    """Whitespace-separated chunk -> its terms, computed for the new chunks of a text in one batch."""

    def compute(chunks: list[str]) -> list[tuple[str, ...]]:
        return [
            tuple(t for t in (_term(token, min_length) for token in _TOKEN_RE.findall(norm)) if t is not None)
            for norm in normalize_many(chunks)
        ]

    return BatchCache(compute, capacity=_CHUNK_CACHE_SIZE)


@lru_cache(maxsize=1 << 17)
def _term(token: str, min_length: int) -> str | None:
    """The stem standing for a normalised token, or None for a stop word or a too-short word (cached)."""
    if len(token) < min_length or token in _STOPWORDS:
        return None
    term = stem(token)
    return token if len(term) < min_length else term


def _entity_keys(article: EnrichedArticle) -> tuple[str, ...]:
    keys = [f"p:{normalize(place.name)}" for place in article.places]
    keys += [f"e:{normalize(entity.name)}" for entity in article.entities]
    return tuple(dict.fromkeys(key for key in keys if len(key) > 2))


def extract_features(
    article: EnrichedArticle, config: ClusterConfig, embedder: Embedder | None = None
) -> ArticleFeatures:
    """The clusterer's view of ``article`` (deterministic: same article, same features); with an
    ``embedder``, also the unit embedding of its title and first ``config.embedding_words`` body words."""
    title_terms = terms_of(article.title, min_length=config.min_word_length)
    # Arabic words average under ten characters with their spaces: cut the text before normalising it all.
    words = config.max_body_tokens if title_terms else config.untitled_body_tokens
    lead = article.content[: words * 16]
    body_terms = terms_of(lead, min_length=config.min_word_length, limit=words)
    return ArticleFeatures(
        article_id=article.id,
        outlet=article.outlet,
        published=article.published,
        title=article.title,
        terms=dict(Counter(title_terms + body_terms)),
        title_terms=tuple(dict.fromkeys(title_terms)),
        entity_keys=_entity_keys(article),
        title_grams=title_grams_of(article.title, config.title_gram_size) if config.title_gram_size else (),
        embedding=_embed(article, config, embedder),
    )


def headline_features(
    article_id: str, outlet: str, published: datetime, title: str, config: ClusterConfig
) -> ArticleFeatures:
    """The features of a headline alone: what a wire copy adds to its original's story (its body is the
    original's, its headline often its own)."""
    title_terms = terms_of(title, min_length=config.min_word_length)
    return ArticleFeatures(
        article_id=article_id,
        outlet=outlet,
        published=published,
        title=title,
        terms=dict(Counter(title_terms)),
        title_terms=tuple(dict.fromkeys(title_terms)),
        entity_keys=(),
        title_grams=title_grams_of(title, config.title_gram_size) if config.title_gram_size else (),
    )


def _embed(article: EnrichedArticle, config: ClusterConfig, embedder: Embedder | None) -> tuple[float, ...]:
    if embedder is None:
        return ()
    text = embedding_text(article.title, article.content, words=config.embedding_words)
    return unit_embedding(embedder(text)) if text else ()


def title_grams_of(title: str, n: int) -> tuple[str, ...]:
    """Distinct ``g:``-keyed character n-grams of a title's content words (stop words dropped).

    >>> title_grams_of("في سورية", 4)
    ('g:#سور', 'g:سوري', 'g:ورية', 'g:رية#')
    """
    words = [w for w in tokenize(title) if w not in _STOPWORDS]
    return tuple(dict.fromkeys(f"g:{g}" for g in char_ngrams(" ".join(words), n)))

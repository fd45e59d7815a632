"""The clusterer's article-story score applied to a pair of free texts (for SemEval-style pair ratings). Pure.

Text two becomes a one-article story, text one is scored against it with the same features, weights and
cosines as :meth:`StoryClusterer.assign` (no time decay: pairs carry no times). The document frequencies come
from ``background`` texts (e.g. every text of the pair file), as the active stories provide them online.
A text's title is its part before the first double space when that comes early, else its first words.

>>> bg = ["دي ميستورا يدعو الأسد للرحيل", "مباراة الهلال والنصر", "الأسد يرفض دعوة دي ميستورا"]
>>> pair_similarity(bg[0], bg[2], background=bg) > pair_similarity(bg[0], bg[1], background=bg)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

from contracts.schemas import EnrichedArticle

from .config import DEFAULT_CONFIG, ClusterConfig
from .embedding import Embedder, embedding_cosine, embedding_text, unit_embedding
from .features import extract_features, terms_of
from .scoring import DocumentFrequencies, profile_norm, score, vectors
from .story import Story

__all__ = ["embedding_similarity", "pair_similarity", "split_title"]

_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
_TITLE_WORDS: Final = 12


def split_title(text: str) -> tuple[str, str]:
    """(title, body) of a text that starts with its headline.

    >>> split_title("عنوان الخبر  نص الخبر")
    ('عنوان الخبر', 'نص الخبر')
    """
    head, sep, rest = text.partition("  ")
    if sep and len(head.split()) <= 3 * _TITLE_WORDS:
        return head.strip(), rest.strip()
    words = text.split()
    return " ".join(words[:_TITLE_WORDS]), " ".join(words[_TITLE_WORDS:])


def _article(text: str, n: int) -> EnrichedArticle:
    title, body = split_title(text)
    return EnrichedArticle(
        id=f"{n:016x}",
        url=f"pair:{n}",
        canonical_url=f"pair:{n}",
        outlet="pair",
        title=title,
        content=body,
        published=_EPOCH,
        fetched_at=_EPOCH,
        language="ar",
        word_count=len(text.split()),
        reading_time_s=0,
    )


def pair_similarity(
    text1: str,
    text2: str,
    *,
    background: Iterable[str],
    config: ClusterConfig = DEFAULT_CONFIG,
    embedder: Embedder | None = None,
) -> float:
    """The clusterer's score of ``text1`` against a story made of ``text2`` (about 0..1); with an
    ``embedder`` and ``config.embedding_weight`` > 0 the score includes the embedding signal."""
    docs = list(background)
    df = DocumentFrequencies(min_documents=len(docs))
    for doc in docs:
        df.add(dict.fromkeys(terms_of(doc, min_length=config.min_word_length), 1), articles=1)
    embed = embedder if config.embedding_weight > 0 else None
    first = extract_features(_article(text1, 1), config, embed)
    second = extract_features(_article(text2, 2), config, embed)
    story = Story.start("pair", _EPOCH, second.title)
    story.term_df = dict.fromkeys(second.terms, 1)
    story.title_df = dict.fromkeys(second.title_terms, 1)
    story.entity_df = dict.fromkeys(second.entity_keys, 1)
    story.norm = profile_norm(story.term_df, df)
    story.title_norm = profile_norm(story.title_df, df)
    story.embedding = list(second.embedding)
    return score(first, vectors(first, df), story, config, _EPOCH).total


def embedding_similarity(text1: str, text2: str, *, embedder: Embedder, words: int) -> float:
    """Cosine of the two texts' embeddings (title and first ``words`` body words of each, as the clusterer
    embeds articles).

    >>> letters = lambda text: [float(text.count(c)) for c in "ab"]
    >>> embedding_similarity("a a", "a b", embedder=letters, words=5) > 0.7
    True
    """
    one, two = (
        unit_embedding(embedder(embedding_text(*split_title(t), words=words))) for t in (text1, text2)
    )
    return embedding_cosine(one, two)

"""How alike an article and a story are: idf-weighted cosines of terms and titles, entity overlap, decay.

Pure. The document frequencies are those of the articles in the active stories (the window), kept as the sum
of every story's own ``term_df``, so they are exactly recoverable from the stories' table entries.

>>> df = DocumentFrequencies(min_documents=10)
>>> df.add({"اسد": 1, "دمشق": 1}, articles=1)
>>> round(df.idf("اسد"), 3), round(df.idf("لم_ير"), 3)
(2.705, 3.398)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import mul, sub
from typing import Final

from .config import ClusterConfig
from .embedding import embedding_cosine, rescale
from .features import ArticleFeatures
from .story import Story

__all__ = [
    "ArticleVectors",
    "DocumentFrequencies",
    "Score",
    "best_member",
    "cosine",
    "entity_overlap",
    "norm_of",
    "profile_norm",
    "score",
    "unit_vector",
    "vectors",
]


class _Logs(dict[int, float]):
    """k -> ln(k + 1), each computed once (document frequencies are small integers)."""

    def __missing__(self, k: int) -> float:
        value = self[k] = math.log(k + 1)
        return value


_LOGS: Final = _Logs()


class DocumentFrequencies:
    """Term -> number of articles, over the articles of the active stories."""

    __slots__ = ("_df", "_min_documents", "documents")

    def __init__(self, *, min_documents: int) -> None:
        self._df: dict[str, int] = {}
        self._min_documents = min_documents
        self.documents = 0

    def add(self, term_df: Mapping[str, int], *, articles: int, sign: int = 1) -> None:
        """Count (``sign=1``) or uncount (``sign=-1``) a story's or an article's terms."""
        df = self._df
        for term, count in term_df.items():
            left = df.get(term, 0) + sign * count
            if left > 0:
                df[term] = left
            else:
                df.pop(term, None)
        self.documents += sign * articles

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency, ln(N + 1) - ln(df + 1) + 1."""
        return self._base() - _LOGS[self._df.get(term, 0)]

    def idfs(self, terms: Iterable[str]) -> dict[str, float]:
        """:meth:`idf` of many terms at once (the hot path: one pass in C over cached logarithms)."""
        keys = terms if isinstance(terms, (list, tuple, dict)) else list(terms)
        logs = map(_LOGS.__getitem__, map(self._df.get, keys, repeat(0)))
        return dict(zip(keys, map(sub, repeat(self._base()), logs), strict=True))

    def _base(self) -> float:
        return math.log(max(self.documents, self._min_documents) + 1) + 1.0

    def frequency(self, term: str) -> int:
        """Articles of the active stories that contain ``term``."""
        return self._df.get(term, 0)


def profile_norm(profile: Mapping[str, int], df: DocumentFrequencies) -> float:
    """Norm of a story profile weighted by idf (``count * idf`` per key).

    >>> profile_norm({}, DocumentFrequencies(min_documents=1))
    0.0
    """
    idf = df.idfs(profile)
    return math.sqrt(sum((c * idf[t]) ** 2 for t, c in profile.items()))


def cosine(
    vector: Mapping[str, float],
    norm: float,
    profile: Mapping[str, int],
    profile_norm_: float,
    idf: Mapping[str, float],
) -> float:
    """Cosine between an article vector and an idf-weighted story profile (0 when either is empty);
    ``idf`` holds the idf of every key of ``vector``.

    >>> round(cosine({"a": 1.0}, 1.0, {"a": 2}, 2.0, {"a": 1.0}), 6)
    1.0
    """
    if norm <= 0 or profile_norm_ <= 0:
        return 0.0
    shared = vector.keys() & profile.keys()  # a C-level intersection: most terms are not shared
    # fsum is exact, so the order a set iterates in (string hashing differs per process) cannot change the
    # last bit: a restarted worker scores exactly as the one before it
    dot = math.fsum([vector[t] * profile[t] * idf[t] for t in shared])
    return min(1.0, dot / (norm * profile_norm_))


def norm_of(vector: Iterable[float]) -> float:
    """Euclidean norm.

    >>> norm_of([3.0, 4.0])
    5.0
    """
    values = list(vector)
    return math.sqrt(sum(map(mul, values, values)))


@dataclass(frozen=True, slots=True)
class Score:
    """The parts of one article-story score, and the combined value."""

    story_id: str
    body: float
    title: float
    entities: float
    member: float
    embedding: float
    decay: float
    total: float


@dataclass(frozen=True, slots=True)
class ArticleVectors:
    """An article's weighted vectors and the idf of its terms, computed once per assignment."""

    idf: dict[str, float]
    body: dict[str, float]
    body_norm: float
    title: dict[str, float]
    title_norm: float
    grams: dict[str, float]
    grams_norm: float
    #: entity key -> idf (rare names weigh, ubiquitous places such as the capital barely).
    entities: dict[str, float]
    #: the statistics the vectors were weighted with (for the stories' side of the entity overlap).
    df: DocumentFrequencies


def vectors(features: ArticleFeatures, df: DocumentFrequencies) -> ArticleVectors:
    """The idf-weighted body and title vectors of an article."""
    idf = df.idfs(features.terms)
    body = {t: (1.0 + math.log(c)) * idf[t] for t, c in features.terms.items()}
    title = {t: idf[t] for t in features.title_terms}
    grams = df.idfs(features.title_grams)
    idf.update(grams)
    entities = df.idfs(features.entity_keys)
    return ArticleVectors(
        idf, body, norm_of(body.values()), title, norm_of(title.values()), grams, norm_of(grams.values()),
        entities, df,
    )  # fmt: skip


def entity_overlap(entities: Mapping[str, float], story: Mapping[str, float]) -> float:
    """Weighted Jaccard of an article's and a story's entity keys, each key weighing its idf (0..1): rare
    names shared count, ubiquitous places (the capital, the country) barely.

    >>> entity_overlap({"e:دي ميستورا": 6.0, "p:الرياض": 2.0}, {"e:دي ميستورا": 6.0})
    0.75
    """
    shared = sum(w for k, w in entities.items() if k in story)
    if shared <= 0:
        return 0.0
    union = sum(entities.values()) + sum(w for k, w in story.items() if k not in entities)
    return shared / union


def score(
    features: ArticleFeatures,
    vecs: ArticleVectors,
    story: Story,
    config: ClusterConfig,
    published: datetime,
) -> Score:
    """Combined similarity of an article and a story (higher is closer, about 0..1)."""
    body = cosine(vecs.body, vecs.body_norm, story.term_df, story.norm, vecs.idf)
    title = cosine(vecs.title, vecs.title_norm, story.title_df, story.title_norm, vecs.idf)
    if vecs.grams:
        grams = cosine(vecs.grams, vecs.grams_norm, story.gram_df, story.gram_norm, vecs.idf)
        title = (1.0 - config.title_gram_share) * title + config.title_gram_share * grams
    entities = 0.0  # only computed when it counts: a story's entity idfs cost as much as the cosines
    if vecs.entities and config.entity_weight:
        entities = entity_overlap(vecs.entities, vecs.df.idfs(story.entity_df))
    hours = max(0.0, (published - story.last_seen).total_seconds() / 3600.0)
    decay = 1.0 / (1.0 + hours / config.decay_hours)
    if config.age_hours:  # an old story is a topic by now: it attracts less (see ClusterConfig.age_hours)
        past_grace = (published - story.first_seen).total_seconds() / 3600.0 - config.age_grace_hours
        if past_grace > 0:
            decay /= 1.0 + past_grace / config.age_hours
    if vecs.title_norm > 0 and story.title_norm > 0:
        raw = config.body_weight * body + config.title_weight * title
    else:  # a side without a headline (RSS items, pasted texts): the body speaks for both
        raw = (config.body_weight + config.title_weight) * body
    raw *= 1.0 + config.entity_weight * entities
    raw = max(raw, config.body_alone * body)
    member = best_member(vecs.body, vecs.body_norm, story.members)
    raw = max(raw, config.member_weight * member)
    embedding = 0.0
    if features.embedding and story.embedding:
        embedding = embedding_cosine(features.embedding, story.embedding)
        share = config.embedding_weight
        raw = (1.0 - share) * raw + share * rescale(embedding, config.embedding_floor)
    prior = 1.0 + config.size_prior * math.log(story.article_count) if story.article_count > 1 else 1.0
    return Score(story.story_id, body, title, entities, member, embedding, decay, raw * decay * prior)


def best_member(vector: Mapping[str, float], norm: float, members: Iterable[Mapping[str, float]]) -> float:
    """The best cosine between an article vector and unit member vectors (0 without members).

    >>> best_member({"a": 3.0, "b": 4.0}, 5.0, [{"a": 1.0}, {"b": 1.0}])
    0.8
    """
    if norm <= 0:
        return 0.0
    best = 0.0
    for member in members:
        small, large = (member, vector) if len(member) <= len(vector) else (vector, member)
        dot = sum(w * large[t] for t, w in small.items() if t in large)
        best = max(best, dot)
    return min(1.0, best / norm)


def unit_vector(vector: Mapping[str, float], keep: int) -> dict[str, float]:
    """The ``keep`` heaviest entries of ``vector``, scaled to unit length (ties by key).

    >>> unit_vector({"a": 3.0, "b": 4.0, "c": 1.0}, 2)
    {'b': 0.8, 'a': 0.6}
    """
    top = sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    norm = norm_of(w for _, w in top)
    return {t: w / norm for t, w in top} if norm > 0 else {}

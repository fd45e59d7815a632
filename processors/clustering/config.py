"""The constants of story clustering, as one frozen value object with defaults tuned on the dev gold.

>>> from datetime import timedelta
>>> ClusterConfig().join_threshold
0.25
>>> ClusterConfig(window=timedelta(hours=24)).window.total_seconds()
86400.0
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from processors.errors import ClusterConfigError

__all__ = ["DEFAULT_CONFIG", "ClusterConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterConfig:
    """Every constant the clusterer reads. Defaults were tuned on the 2015-08-08 dev gold only."""

    #: A story with no new article for this long is closed (ProcessorSettings.story_window_hours).
    window: timedelta = timedelta(hours=72)
    #: Words of the body (after the title) that feed the term profile; leads carry the event.
    max_body_tokens: int = 300
    #: Words of the body read for an article without a headline (RSS items without a title, pasted texts):
    #: with no headline to name the event, the lead must carry that evidence alone, so it reads further.
    untitled_body_tokens: int = 600
    #: Score = body_weight * body cosine + title_weight * title cosine (body alone when a side has no title).
    body_weight: float = 0.6
    title_weight: float = 0.4
    #: Entity overlap (idf-weighted Jaccard of place/entity keys) multiplies the score by 1 + entity_weight *
    #: overlap. Off by default: with the pipeline Enricher's keys it cost precision on the dev gold.
    entity_weight: float = 0.0
    #: A body match alone also counts, scaled by this (headlines of one event can differ completely).
    body_alone: float = 0.0
    #: Member links: a story also scores ``member_weight`` times the best cosine between the article and one
    #: of its first ``member_links`` members (each kept as its ``member_terms`` heaviest stems). Off (0) by
    #: default: on the dev gold it bought recall only at the same cost in precision (docs/clustering.md).
    member_links: int = 0
    member_terms: int = 60
    member_weight: float = 0.6
    #: Title character n-grams (size; 0 = off): the title similarity is (1 - share) * stem cosine + share *
    #: n-gram cosine, both idf-weighted.
    title_gram_size: int = 0
    title_gram_share: float = 0.5
    #: Sentence embedding (needs an ``embedder`` given to the clusterer; 0 = off, the default): the score
    #: becomes (1 - embedding_weight) * term score + embedding_weight * rescaled cosine of the article's
    #: embedding (title + first ``embedding_words`` body words) and the story's normalised centroid, where
    #: cosines at or below ``embedding_floor`` count 0. Measured in docs/clustering.md.
    embedding_weight: float = 0.0
    embedding_words: int = 64
    embedding_floor: float = 0.5
    #: With the embedding on, the ``embedding_pool`` stories with most shared idf mass are retrieved from the
    #: inverted index, and the ``embedding_neighbours`` nearest by embedding among them are scored as well
    #: as the usual ``max_candidates`` (still index candidates only, never a scan of all stories).
    embedding_pool: int = 48
    embedding_neighbours: int = 4
    #: Wedding notices, cartoons and photo pages (:mod:`.genre`) open a story of their own that nothing joins.
    standalone_genres: bool = True
    #: Consolidation of a burst (``consolidate_min_size`` 0 = off). A big event's first hours scatter its
    #: reactions over small stories before its own profile exists. So when a story that is still young
    #: (at most ``consolidate_hours`` from its first to its last article) grows to ``consolidate_min_size``
    #: members, and again each time it is ``consolidate_growth`` times larger, the
    #: ``consolidate_candidates`` stories that share most idf mass with its index keys are scored against it,
    #: each as if it were one article (its profiles as the terms); those of at most
    #: ``consolidate_max_size`` members that score ``consolidate_threshold`` are merged into it (merge
    #: events). An older story is left alone: after a day a story fed every day is a topic, and would take
    #: in every small story of its subject (docs/clustering.md).
    consolidate_min_size: int = 10
    consolidate_growth: float = 1.25
    consolidate_hours: float = 6.0
    consolidate_max_size: int = 2
    consolidate_threshold: float = 0.25
    consolidate_candidates: int = 64
    #: Join the best story when its score reaches this; otherwise open a new story.
    join_threshold: float = 0.25
    #: The join threshold for an article without a body: short texts give higher cosines.
    title_only_threshold: float = 0.35
    #: Merge the runner-up story into the joined one when both score this much for the same article and
    #: the two stories' own profiles are at least ``merge_story_similarity`` alike.
    merge_threshold: float = 0.45
    merge_story_similarity: float = 0.4
    #: Bigger stories attract more (as in a Chinese-restaurant-process prior): the score is multiplied by
    #: 1 + size_prior * ln(story size), its wire copies included.
    size_prior: float = 0.15
    #: Time decay: the score is divided by (1 + hours since the story's last article / decay_hours).
    decay_hours: float = 48.0
    #: Age: a story is an event and its immediate developments, so once it is older than
    #: ``age_grace_hours`` (from its first article) the score is also divided by (1 + hours past the grace /
    #: age_hours); 0 = off. Without it, a story that is fed every day (a league, a war, an election
    #: campaign) becomes a topic that draws in every new event of its subject.
    age_hours: float = 36.0
    age_grace_hours: float = 24.0
    #: Candidate retrieval: the article's query keys (highest tf-idf first), each story's indexed keys,
    #: postings longer than ``max_postings`` are skipped (too common to discriminate), and at most
    #: ``max_candidates`` stories (most shared idf mass first) are scored in full.
    query_terms: int = 16
    index_terms: int = 24
    max_postings: int = 1000
    max_candidates: int = 12
    #: What the document frequencies count: ``story`` (active stories holding a term, so that the words of
    #: one big story keep their weight) or ``article`` (articles of the active stories).
    frequency_unit: Literal["story", "article"] = "story"
    #: Smoothing of the inverse document frequency: idf = ln((N + 1) / (df + 1)) + 1, with N at least
    #: ``min_documents`` so that the first articles of a cold start do not all look rare.
    min_documents: int = 1000
    #: How many keywords, places and entities a story snapshot lists.
    snapshot_top: int = 10
    #: A story's profiles (stems, title stems, keys, display keywords) keep at most this many entries: past
    #: it, the least counted quarter goes (ties by key). A story that never idles for a window would
    #: otherwise grow without bound, and its table entry, rewritten at every join, towards Kafka's 1 MB
    #: message limit. The rare stems of a big story weigh little in its centroid.
    max_profile_terms: int = 4096
    #: The places and names a story shows (each with its record) keep at most this many, the same way: they
    #: are display tallies, not scored, and a record weighs about 100 bytes of the story's entry.
    max_story_names: int = 512
    #: Words used for title matching and keywords must have at least this many letters.
    min_word_length: int = 2

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise ClusterConfigError(f"ClusterConfig.window must be positive, got {self.window}")
        for name in ("decay_hours",):
            if getattr(self, name) <= 0:
                raise ClusterConfigError(f"ClusterConfig.{name} must be > 0, got {getattr(self, name)}")
        if self.age_hours < 0 or self.age_grace_hours < 0:
            raise ClusterConfigError(
                f"ClusterConfig.age_hours (0 = off) and age_grace_hours must be >= 0, got {self.age_hours} "
                f"and {self.age_grace_hours}"
            )
        positive = (
            "query_terms", "index_terms", "max_postings", "max_candidates", "max_body_tokens",
            "untitled_body_tokens", "max_profile_terms", "max_story_names",
        )  # fmt: skip
        for name in (*positive, "embedding_words", "embedding_pool", "consolidate_max_size"):
            if getattr(self, name) < 1:
                raise ClusterConfigError(f"ClusterConfig.{name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.embedding_weight <= 1 or not -1 <= self.embedding_floor < 1:
            raise ClusterConfigError(
                f"ClusterConfig.embedding_weight must be in [0, 1] and embedding_floor in [-1, 1), got "
                f"{self.embedding_weight} and {self.embedding_floor}"
            )
        if self.consolidate_min_size < 0 or self.consolidate_growth <= 1 or self.consolidate_candidates < 1:
            raise ClusterConfigError(
                "ClusterConfig.consolidate_min_size must be >= 0 (0 = off), consolidate_growth > 1 and "
                f"consolidate_candidates >= 1, got {self.consolidate_min_size}, {self.consolidate_growth} "
                f"and {self.consolidate_candidates}"
            )
        if not 0 < self.join_threshold <= 1:
            raise ClusterConfigError(
                f"ClusterConfig.join_threshold must be in (0, 1], got {self.join_threshold}"
            )


#: The tuned defaults, shared (the config is frozen).
DEFAULT_CONFIG = ClusterConfig()

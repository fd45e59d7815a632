"""One story's state: profiles, members, outlets, headline; its snapshot and its table entry. Pure.

A story's term profile counts, per stem, the member articles that contain it (``term_df``). That one integer
map is both the story's centroid (weighted by idf at scoring time) and its share of the global document
frequencies, so the global statistics are the sum over the active stories and need no table of their own.

>>> from datetime import UTC, datetime
>>> t = datetime(2015, 8, 8, tzinfo=UTC)
>>> story = Story.start("s-1", t, "عنوان")
>>> Story.from_bytes(story.to_bytes()) == story
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from contracts.schemas import Entity, Place, StoryUpdate
from processors.errors import ClusterStateError

__all__ = ["Story"]

Event = Literal["created", "updated", "merged", "closed"]


@dataclass(slots=True)
class Story:
    """Everything the clusterer keeps about one active story (mutable; the clusterer owns it)."""

    story_id: str
    version: int
    first_seen: datetime
    last_seen: datetime
    article_ids: list[str]
    outlets: dict[str, int]
    headline: str
    headline_terms: list[str] = field(default_factory=list)
    #: The lead of the member article (or wire copy) whose title is the headline; "" when it has none. A
    #: copy from a relation written before leads were carried leaves it as it was.
    summary: str = ""
    #: stem -> member articles containing it (title and body).
    term_df: dict[str, int] = field(default_factory=dict)
    #: ``p:`` place / ``e:`` entity key -> member articles that mention it.
    entity_df: dict[str, int] = field(default_factory=dict)
    #: title stem -> member articles whose title contains it.
    title_df: dict[str, int] = field(default_factory=dict)
    #: ``g:`` title character n-gram -> member articles whose title contains it.
    gram_df: dict[str, int] = field(default_factory=dict)
    #: normalised title word or enrichment keyword -> count (for the snapshot's keywords).
    keywords: dict[str, int] = field(default_factory=dict)
    #: name -> [place or entity as a dict, count] (for the snapshot).
    places: dict[str, list[Any]] = field(default_factory=dict)
    entities: dict[str, list[Any]] = field(default_factory=dict)
    #: the keys under which the candidate index holds this story, chosen at its last change.
    index_keys: list[str] = field(default_factory=list)
    #: Euclidean norms of the idf-weighted body and title profiles at the story's last change.
    norm: float = 0.0
    title_norm: float = 0.0
    gram_norm: float = 0.0
    #: The first members' own unit tf-idf vectors (heaviest stems only, weighted when they joined): a big
    #: story of diverse articles (reactions, sermons, columns) is reached through its seminal reports too.
    members: list[dict[str, float]] = field(default_factory=list)
    #: Sum of the members' unit sentence embeddings (rounded; its direction is the normalised centroid);
    #: empty when the clusterer runs without an embedder.
    embedding: list[float] = field(default_factory=list)
    #: Wire copies of the members (dedupe's ``duplicate_of`` relations): counted, with their outlets; only
    #: their headline enters the profiles (their body is the original's).
    copy_ids: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, story_id: str, published: datetime, title: str) -> Story:
        """An empty story opened by one article (the caller adds the article's features)."""
        return cls(story_id, 0, published, published, [], {}, title)

    @property
    def size(self) -> int:
        """Member articles (copies not counted)."""
        return len(self.article_ids)

    @property
    def article_count(self) -> int:
        """Member articles and their wire copies: what the story shows."""
        return len(self.article_ids) + len(self.copy_ids)

    def snapshot(
        self, event: Event, *, at: datetime, top: int, status: str = "active", merged_into: str | None = None
    ) -> StoryUpdate:
        """The story as a :class:`StoryUpdate` record at its current version."""
        return StoryUpdate(
            story_id=self.story_id,
            version=self.version,
            event=event,
            status=status,  # type: ignore[arg-type]
            merged_into=merged_into,
            headline=self.headline or "(untitled)",
            summary=self.summary,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            article_count=self.article_count,
            outlets=sorted(self.outlets, key=lambda o: (-self.outlets[o], o)),
            top_keywords=_top(self.keywords, top),
            top_places=[Place(**self.places[name][0]) for name in _top_pairs(self.places, top)],
            top_entities=[Entity(**self.entities[name][0]) for name in _top_pairs(self.entities, top)],
            updated_at=at,
        )

    def to_bytes(self) -> bytes:
        """The table entry: compact UTF-8 JSON (floats round-trip exactly)."""
        data = {f.name: getattr(self, f.name) for f in _FIELDS}  # no deep copy: serialised right away
        data["first_seen"] = self.first_seen.isoformat()
        data["last_seen"] = self.last_seen.isoformat()
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Story:
        """Read a table entry back; raise :class:`ClusterStateError` when it is not one."""
        try:
            raw = json.loads(data)
            raw["first_seen"] = datetime.fromisoformat(raw["first_seen"])
            raw["last_seen"] = datetime.fromisoformat(raw["last_seen"])
            story = cls(**raw)
            wrong = [n for n in _DICTS if not isinstance(getattr(story, n), dict)]
            wrong += [n for n in _LISTS if not isinstance(getattr(story, n), list)]
            if wrong or not isinstance(story.version, int):
                raise TypeError(f"wrong types for {', '.join(wrong) or 'version'}")
            if story.last_seen.tzinfo is None or story.first_seen.tzinfo is None:
                raise ValueError("times without a zone")
            return story
        except (ValueError, TypeError, KeyError) as exc:
            raise ClusterStateError(f"story entry {data[:80]!r} cannot be read: {exc}") from None


_FIELDS = fields(Story)
#: The containers an entry must hold before a restore counts it (a cheap check of shape, not of every value).
_DICTS = ("outlets", "term_df", "entity_df", "title_df", "gram_df", "keywords", "places", "entities")
_LISTS = ("article_ids", "headline_terms", "index_keys", "members", "embedding", "copy_ids")


def _top(counts: dict[str, int], n: int) -> list[str]:
    return sorted(counts, key=lambda k: -counts[k])[:n]


def _top_pairs(items: dict[str, list[Any]], n: int) -> list[str]:
    return sorted(items, key=lambda k: -int(items[k][1]))[:n]

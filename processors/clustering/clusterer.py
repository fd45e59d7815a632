"""Online story clustering: one article at a time, in arrival order, with state that survives restarts.

Pure: no Kafka or Faust here. The Faust agent calls :meth:`StoryClusterer.assign` per enriched article, writes
the :class:`Assignment` and its story updates out, and stores :meth:`StoryClusterer.drain_changes` in a table
with a changelog; after a restart :meth:`StoryClusterer.restore` rebuilds the same state from that table, so
the next decisions are exactly those of a clusterer that never stopped.

State entries (keys): ``story/<id>`` holds a :class:`Story` (profiles, members, index keys, norms);
``article/<id>`` holds an article's (or a wire copy's) assignment, for idempotence; ``copy/<id>`` a wire copy
that waits for its original (:meth:`StoryClusterer.add_copy`). The document frequencies, the candidate index
and the expiry heap are derived from the story entries, so an article changes two entries, its own and its
story's; a merge also rewrites the absorbed story and re-points its members' assignments to the survivor.

Decision rule: retrieve candidates from an inverted index over the active stories' top keys; score each
(``scoring.score``); join the best when it reaches ``join_threshold``, else open a story named after the
article (``s-<article id>``). When the runner-up also scores ``merge_threshold`` and the two stories' own
profiles are ``merge_story_similarity`` alike, the smaller story is merged into the larger. A young story
that passes a size milestone (``consolidate_min_size``, then geometric steps) gathers the small stories that
its grown profile now reaches: the scattered first reactions to a breaking event (merge events too).

Wire copies (dedupe's ``duplicate_of`` relations) join their original's story: they count among its articles,
outlets and size, and their headline joins its profile (their body is the original's). A copy that arrives
before its original is clustered waits (in the state) until the original is; one still waiting when it leaves
the window is dropped from the stories (it stays a duplicate in search) and reported by
:meth:`StoryClusterer.take_dropped_copies`.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import compress, repeat
from operator import add, ge, mul

from contracts.schemas import EnrichedArticle, StoryUpdate
from processors.arabic import KEYWORD_FILLERS_SET, NEWS_STOPWORDS_SET, STOPWORDS, normalize, tokenize
from processors.errors import ClusterConfigError, ClusterStateError

from .config import DEFAULT_CONFIG, ClusterConfig
from .embedding import Embedder, add_embedding, embedding_cosine
from .features import ArticleFeatures, extract_features, headline_features
from .genre import standalone
from .scoring import ArticleVectors, DocumentFrequencies, Score, norm_of, score, unit_vector, vectors
from .story import Story

__all__ = ["Assignment", "Copy", "StoryClusterer"]

_STORY = "story/"
_ARTICLE = "article/"
_COPY = "copy/"
#: Stream time, when an event newer than every story's last article moved it (a waiting copy, a refused
#: article); otherwise the stories' entries already hold it.
_CLOCK = "clock"
_KEYWORD_STOP = STOPWORDS | NEWS_STOPWORDS_SET | KEYWORD_FILLERS_SET


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went, and the story records that decision produced (in order)."""

    article_id: str
    story_id: str
    story_version: int
    is_new_story: bool
    updates: list[StoryUpdate]
    #: Wire copies that were waiting for this article and joined its story with it.
    copies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Copy:
    """A wire copy of ``original_id``, from dedupe: it joins the story of its original."""

    article_id: str
    original_id: str
    outlet: str
    published: datetime
    title: str = ""
    #: Its lead: the story's summary if its headline becomes the story's ("" when the relation has none).
    lead: str = ""

    def to_bytes(self) -> bytes:
        """The state entry of a waiting copy."""
        fields = [self.original_id, self.outlet, self.published.isoformat(), self.title, self.lead]
        return json.dumps(fields, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, article_id: str, data: bytes) -> Copy:
        """Read :meth:`to_bytes` back (entries written before leads were kept have four fields); raise
        :class:`ClusterStateError` for anything else."""
        try:
            original_id, outlet, published, title, *rest = json.loads(data)
            if len(rest) > 1:
                raise ValueError(f"{4 + len(rest)} fields, expected 4 or 5")
            when = datetime.fromisoformat(published)
            return cls(
                article_id, str(original_id), str(outlet), when, str(title), str(rest[0]) if rest else ""
            )
        except (ValueError, TypeError) as exc:
            raise ClusterStateError(
                f"copy entry {data[:80]!r} of {article_id} cannot be read: {exc}"
            ) from None


class StoryClusterer:
    """Assigns articles to stories online; deterministic for a given input order."""

    def __init__(self, config: ClusterConfig = DEFAULT_CONFIG, *, embedder: Embedder | None = None) -> None:
        """``embedder`` (text -> vector, deterministic) is required when ``config.embedding_weight`` > 0 and
        unused otherwise."""
        if config.embedding_weight > 0 and embedder is None:
            raise ClusterConfigError(
                "ClusterConfig.embedding_weight > 0 needs an embedder (e.g. processors.clustering.embedding."
                "use_embedder()); pass embedder= or set embedding_weight=0"
            )
        self._config = config
        self._embedder = embedder if config.embedding_weight > 0 else None
        self._stories: dict[str, Story] = {}
        self._assigned: dict[str, tuple[str, int, bool]] = {}
        self._df = DocumentFrequencies(min_documents=config.min_documents)
        self._index: dict[str, set[str]] = {}
        self._expiry: list[tuple[datetime, str]] = []
        self._dirty: set[str] = set()
        #: Copies waiting for their original: copy id -> copy; original id -> its waiting copies' ids.
        self._waiting: dict[str, Copy] = {}
        self._waiting_for: dict[str, list[str]] = {}
        self._waiting_expiry: list[tuple[datetime, str]] = []
        self._dropped: list[str] = []
        #: Stream time: the newest publish time seen; the newest story ``last_seen`` and the clock entry
        #: (written only when stream time is ahead of every story) restore it.
        self._clock: datetime | None = None
        self._newest_seen: datetime | None = None
        self._clock_written: datetime | None = None
        self._by_story = config.frequency_unit == "story"
        self.last_scores: list[Score] = []

    def __len__(self) -> int:
        return len(self._stories)

    @property
    def config(self) -> ClusterConfig:
        """The constants in use."""
        return self._config

    def story(self, story_id: str) -> Story | None:
        """The active story ``story_id`` (read-only use), or None."""
        return self._stories.get(story_id)

    # ----------------------------------------------------------------------------------------- assign

    def assign(self, article: EnrichedArticle) -> Assignment:
        """Put ``article`` into a story; a known article id returns its recorded assignment unchanged."""
        known = self._assigned.get(article.id)
        if known is not None:
            return Assignment(article.id, known[0], known[1], known[2], [])
        cfg = self._config
        features = extract_features(article, cfg, self._embedder)
        vecs = vectors(features, self._df)
        if cfg.standalone_genres and standalone(article.title):  # notices, cartoons: a story of their own
            return self._open(article, features, vecs, indexed=False)
        oldest = article.published - cfg.window
        scores = sorted(
            (
                score(features, vecs, self._stories[sid], cfg, article.published)
                for sid in self._candidates(features, vecs.body)
                if self._stories[sid].last_seen >= oldest
            ),
            key=lambda s: (-s.total, s.story_id),
        )
        self.last_scores = scores
        threshold = cfg.join_threshold if article.content.strip() else cfg.title_only_threshold
        if not scores or scores[0].total < threshold:
            return self._open(article, features, vecs)
        best = self._stories[scores[0].story_id]
        updates: list[StoryUpdate] = []
        if len(scores) > 1 and scores[1].total >= cfg.merge_threshold:
            other = self._stories[scores[1].story_id]
            if self.story_similarity(best, other) >= cfg.merge_story_similarity:
                best, absorbed = _survivor(best, other)
                updates.append(self._absorb(best, absorbed, at=article.published))
        before = best.size
        self._add(best, article, features, vecs)
        if _milestone(before, best.size, cfg.consolidate_min_size, cfg.consolidate_growth):
            updates += self._consolidate(best, at=article.published)
        updates.append(best.snapshot("updated", at=article.published, top=cfg.snapshot_top))
        return self._with_waiting(self._record(article.id, best, False, updates), best, article.published)

    def _consolidate(self, story: Story, *, at: datetime) -> list[StoryUpdate]:
        """Merge into ``story``, a young story that just passed a size milestone, the small stories its
        profile now reaches (each scored against it as one article); return their ``merged`` records.
        Candidates come from the index, never a scan (``ClusterConfig.consolidate_*``)."""
        cfg = self._config
        if story.last_seen - story.first_seen > timedelta(hours=cfg.consolidate_hours):
            return []
        found = self._shared_mass(story.index_keys)
        found.pop(story.story_id, None)
        oldest = story.last_seen - cfg.window
        absorb: list[Story] = []
        for sid in _top(found, cfg.consolidate_candidates):
            other = self._stories[sid]
            if other.size > cfg.consolidate_max_size or other.last_seen < oldest:
                continue
            features = _as_article(other)
            if score(features, vectors(features, self._df), story, cfg, other.last_seen).total >= (
                cfg.consolidate_threshold
            ):
                absorb.append(other)
        if not absorb:
            return []
        updates = [self._absorb(story, other, at=at) for other in absorb]
        self._bound(story)
        self._refresh(story)  # _absorb unindexed it; the caller's snapshot carries its version
        return updates

    def _shared_mass(self, keys: Collection[str]) -> dict[str, float]:
        """Story id -> the summed idf of the ``keys`` it is indexed under (postings longer than
        ``max_postings`` are too common to discriminate, and skipped)."""
        found: dict[str, float] = {}
        get, idf, limit = found.get, self._df.idfs(keys), self._config.max_postings
        for key in keys:
            posting = self._index.get(key)
            if not posting or len(posting) > limit:
                continue
            # found[sid] += idf for every story of the posting, in C (postings run to hundreds of stories)
            sums = map(add, map(get, posting, repeat(0.0)), repeat(idf[key]))
            found.update(zip(posting, sums, strict=True))
        return found

    def story_similarity(self, a: Story, b: Story) -> float:
        """Cosine of two stories' idf-weighted term profiles (0..1)."""
        if a.norm <= 0 or b.norm <= 0:
            return 0.0
        small, large = (a, b) if len(a.term_df) <= len(b.term_df) else (b, a)
        idf = self._df.idfs(t for t in small.term_df if t in large.term_df)
        dot = sum(small.term_df[t] * large.term_df[t] * w**2 for t, w in idf.items())
        return min(1.0, dot / (a.norm * b.norm))

    def _candidates(self, features: ArticleFeatures, body: Mapping[str, float]) -> list[str]:
        cfg = self._config
        keys = dict.fromkeys([*_top(body, cfg.query_terms), *features.title_terms, *features.entity_keys])
        found = self._shared_mass(keys)
        ranked_ids = _top(found, cfg.embedding_pool if features.embedding else cfg.max_candidates)
        chosen = ranked_ids[: cfg.max_candidates]
        if features.embedding and len(ranked_ids) > len(chosen):
            rest = ranked_ids[len(chosen) :]  # the pool's other stories: the nearest by embedding join
            near = sorted(rest, key=lambda sid: (-self._embedding_cosine(features, sid), sid))
            chosen += near[: cfg.embedding_neighbours]
        return chosen

    def _embedding_cosine(self, features: ArticleFeatures, story_id: str) -> float:
        return embedding_cosine(features.embedding, self._stories[story_id].embedding)

    def _open(
        self,
        article: EnrichedArticle,
        features: ArticleFeatures,
        vecs: ArticleVectors,
        *,
        indexed: bool = True,
    ) -> Assignment:
        """Open a story for ``article``; one not ``indexed`` is never a candidate, so nothing joins it."""
        story = Story.start(f"s-{article.id}", article.published, article.title)
        self._stories[story.story_id] = story
        self._add(story, article, features, vecs, indexed=indexed)
        update = story.snapshot("created", at=article.published, top=self._config.snapshot_top)
        return self._with_waiting(self._record(article.id, story, True, [update]), story, article.published)

    def _record(self, article_id: str, story: Story, is_new: bool, updates: list[StoryUpdate]) -> Assignment:
        self._assigned[article_id] = (story.story_id, story.version, is_new)
        self._dirty.add(_ARTICLE + article_id)
        return Assignment(article_id, story.story_id, story.version, is_new, updates)

    # ------------------------------------------------------------------------------------------ copies

    def add_copy(self, copy: Copy) -> Assignment | None:
        """Count a wire copy in its original's story (a new version of it); None while the original is not
        clustered yet: the copy waits for it (in the state), and joins with it. A known copy returns its
        recorded assignment unchanged."""
        known = self._assigned.get(copy.article_id)
        if known is not None:
            return Assignment(copy.article_id, known[0], known[1], False, [])
        original = self._assigned.get(copy.original_id)
        story = self._stories.get(original[0]) if original is not None else None
        if story is None:
            if copy.article_id not in self._waiting:
                self._wait(copy)
                self._dirty.add(_COPY + copy.article_id)
            return None
        update = self._count_copy(story, copy, at=copy.published)
        return Assignment(copy.article_id, story.story_id, story.version, False, [update])

    def _wait(self, copy: Copy) -> None:
        """Keep ``copy`` until its original is clustered, or until it leaves the window."""
        self._waiting[copy.article_id] = copy
        self._waiting_for.setdefault(copy.original_id, []).append(copy.article_id)
        heapq.heappush(self._waiting_expiry, (copy.published, copy.article_id))

    def take_dropped_copies(self) -> list[str]:
        """The copies dropped since the last call: still waiting for their original past the window."""
        dropped, self._dropped = self._dropped, []
        return dropped

    def _count_copy(self, story: Story, copy: Copy, *, at: datetime) -> StoryUpdate:
        """Count ``copy`` in ``story``: one change, one version, whether it waited or not. Its headline,
        often its outlet's own, joins the story's profile; its body is the original's and adds nothing."""
        indexed = bool(story.index_keys)
        self._unindex(story)
        if copy.title:
            cfg = self._config
            features = headline_features(copy.article_id, copy.outlet, copy.published, copy.title, cfg)
            self._add_profile(
                story, features, _title_words(copy.title, cfg.min_word_length), lead=copy.lead or None
            )
        elif not self._by_story:  # one document either way, as _uncount_story counts it
            self._df.add({}, articles=1)
        story.copy_ids.append(copy.article_id)
        self._seen(story, copy.outlet, copy.published)
        story.version += 1
        self._bound(story)
        self._refresh(story, indexed=indexed)
        self._assigned[copy.article_id] = (story.story_id, story.version, False)
        self._dirty.add(_ARTICLE + copy.article_id)
        return story.snapshot("updated", at=max(at, copy.published), top=self._config.snapshot_top)

    def _with_waiting(self, assignment: Assignment, story: Story, at: datetime) -> Assignment:
        """``assignment`` followed by the copies that waited for its article, counted one by one."""
        ids = self._waiting_for.pop(assignment.article_id, None)
        if not ids:
            return assignment
        updates = list(assignment.updates)
        ids.sort(key=lambda copy_id: (self._waiting[copy_id].published, copy_id))  # as a restore queues them
        for copy_id in ids:
            updates.append(self._count_copy(story, self._waiting.pop(copy_id), at=at))
            self._dirty.add(_COPY + copy_id)
        return replace(assignment, updates=updates, copies=tuple(ids))

    # ---------------------------------------------------------------------------------- story changes

    def _add(
        self,
        story: Story,
        article: EnrichedArticle,
        features: ArticleFeatures,
        vecs: ArticleVectors,
        *,
        indexed: bool = True,
    ) -> None:
        self._unindex(story)
        words = article.keywords or _title_words(article.title, self._config.min_word_length)
        self._add_profile(story, features, words, lead=article.lead)
        for place in article.places:
            _tally(story.places, place.name, place.model_dump())
        for entity in article.entities:
            _tally(story.entities, entity.name, entity.model_dump())
        story.article_ids.append(article.id)
        story.embedding = add_embedding(story.embedding, features.embedding)
        if len(story.members) < self._config.member_links:  # the first members report the event itself
            story.members.append(unit_vector(vecs.body, self._config.member_terms))
        self._seen(story, article.outlet, article.published)
        story.version += 1
        self._bound(story)
        self._refresh(story, indexed=indexed)

    def _add_profile(
        self, story: Story, features: ArticleFeatures, keywords: Iterable[str], *, lead: str | None = None
    ) -> None:
        """Count ``features`` in the story's profiles (and the statistics); the headline may change, and
        with it the summary, to the article's ``lead`` (None: the summary stays, for a copy without one)."""
        self._count_frequencies(story, features)
        _count(story.term_df, features.terms)  # one per article and term
        _count(story.title_df, features.title_terms)
        _count(story.gram_df, features.title_grams)
        _count(story.entity_df, features.entity_keys)
        _count(story.keywords, dict.fromkeys(keywords))
        takes_headline = _headline_weight(features.title_terms, story) > _headline_weight(
            story.headline_terms, story
        ) or (not story.headline_terms and not story.headline)
        if not takes_headline:
            return
        story.headline, story.headline_terms = features.title, list(features.title_terms)
        if lead is not None:
            story.summary = lead

    def _seen(self, story: Story, outlet: str, published: datetime) -> None:
        story.outlets[outlet] = story.outlets.get(outlet, 0) + 1
        story.first_seen = min(story.first_seen, published)
        story.last_seen = max(story.last_seen, published)
        self._clock = story.last_seen if self._clock is None else max(self._clock, story.last_seen)
        self._newest_seen = _later(self._newest_seen, story.last_seen)

    def _bound(self, story: Story) -> None:
        """Keep each profile of ``story`` within ``max_profile_terms`` (the least counted quarter goes, and
        leaves the document frequencies with it), so a story that never idles stays bounded."""
        for term in self._prune(story.term_df, counted=True):
            story.title_df.pop(term, None)  # title weights read the body profile
        self._prune(story.entity_df, counted=True)
        self._prune(story.gram_df, counted=True)
        self._prune(story.keywords, counted=False)
        cap = self._config.max_story_names
        for tally in (story.places, story.entities):  # name -> [record, count], shown on the story
            if len(tally) > cap:
                counts = {name: int(entry[1]) for name, entry in tally.items()}
                for name in _least(counts, len(tally) - cap * 3 // 4):
                    del tally[name]

    def _prune(self, profile: dict[str, int], *, counted: bool) -> list[str]:
        cap = self._config.max_profile_terms
        if len(profile) <= cap:
            return []
        dropped = _least(profile, len(profile) - cap * 3 // 4)
        if counted:  # a story adds 1 per key (story unit) or its count (article unit) to the frequencies
            self._df.add({k: 1 if self._by_story else profile[k] for k in dropped}, articles=0, sign=-1)
        for key in dropped:
            del profile[key]
        return dropped

    def _count_frequencies(self, story: Story, features: ArticleFeatures) -> None:
        """Count the article in the document frequencies (by article, or by story: new terms only)."""
        if self._by_story:
            terms = {t: 1 for t in features.terms if t not in story.term_df}
            keys = {k: 1 for k in features.entity_keys if k not in story.entity_df}
            keys.update((g, 1) for g in features.title_grams if g not in story.gram_df)
            self._df.add(terms, articles=0 if story.article_ids else 1)
        else:
            terms = dict.fromkeys(features.terms, 1)
            keys = dict.fromkeys([*features.entity_keys, *features.title_grams], 1)
            self._df.add(terms, articles=1)
        self._df.add(keys, articles=0)

    def _uncount_story(self, story: Story, *, sign: int) -> None:
        """Count (1) or uncount (-1) a whole story in the document frequencies."""
        if self._by_story:
            self._df.add(dict.fromkeys(story.term_df, 1), articles=1, sign=sign)
            self._df.add(dict.fromkeys(story.entity_df, 1), articles=0, sign=sign)
            self._df.add(dict.fromkeys(story.gram_df, 1), articles=0, sign=sign)
        else:
            self._df.add(story.term_df, articles=story.article_count, sign=sign)
            self._df.add(story.entity_df, articles=0, sign=sign)
            self._df.add(story.gram_df, articles=0, sign=sign)

    def _absorb(self, survivor: Story, absorbed: Story, *, at: datetime) -> StoryUpdate:
        self._unindex(absorbed)
        self._unindex(survivor)
        if self._by_story:
            self._df.add(_shared(survivor.term_df, absorbed.term_df), articles=1, sign=-1)
            self._df.add(_shared(survivor.entity_df, absorbed.entity_df), articles=0, sign=-1)
            self._df.add(_shared(survivor.gram_df, absorbed.gram_df), articles=0, sign=-1)
        for mine, theirs in (
            (survivor.term_df, absorbed.term_df),
            (survivor.title_df, absorbed.title_df),
            (survivor.gram_df, absorbed.gram_df),
            (survivor.entity_df, absorbed.entity_df),
            (survivor.keywords, absorbed.keywords),
            (survivor.outlets, absorbed.outlets),
        ):
            _add_counts(mine, theirs)
        for name, (item, count) in absorbed.places.items():
            _tally(survivor.places, name, item, count)
        for name, (item, count) in absorbed.entities.items():
            _tally(survivor.entities, name, item, count)
        survivor.article_ids.extend(absorbed.article_ids)
        survivor.copy_ids.extend(absorbed.copy_ids)
        for member in (*absorbed.article_ids, *absorbed.copy_ids):  # a copy finds its original's story
            _, version, is_new = self._assigned.get(member, ("", survivor.version, False))
            self._assigned[member] = (survivor.story_id, version, is_new)
            self._dirty.add(_ARTICLE + member)
        survivor.embedding = add_embedding(survivor.embedding, absorbed.embedding)
        survivor.members = [*survivor.members, *absorbed.members][: self._config.member_links]
        survivor.first_seen = min(survivor.first_seen, absorbed.first_seen)
        survivor.last_seen = max(survivor.last_seen, absorbed.last_seen)
        absorbed.version += 1
        del self._stories[absorbed.story_id]
        self._dirty.add(_STORY + absorbed.story_id)
        return absorbed.snapshot(
            "merged", at=at, top=self._config.snapshot_top, status="merged", merged_into=survivor.story_id
        )

    def _refresh(self, story: Story, *, indexed: bool = True) -> None:
        """Recompute norms and index keys at the current statistics, and index the story under them (under
        none when not ``indexed``)."""
        cfg, idf = self._config, self._df.idfs(story.term_df)
        weights = dict(zip(story.term_df, map(mul, story.term_df.values(), idf.values()), strict=True))
        story.norm = norm_of(weights.values())
        story.title_norm = norm_of(weights[t] / story.term_df[t] * c for t, c in story.title_df.items())
        grams = self._df.idfs(story.gram_df)
        story.gram_norm = norm_of(c * grams[g] for g, c in story.gram_df.items())
        terms = _top(weights, cfg.index_terms)
        titles = _top({t: c * weights[t] for t, c in story.title_df.items()}, cfg.index_terms)
        entities = _top(story.entity_df, cfg.index_terms)
        story.index_keys = list(dict.fromkeys([*terms, *titles, *entities])) if indexed else []
        self._index_story(story)
        heapq.heappush(self._expiry, (story.last_seen, story.story_id))
        self._dirty.add(_STORY + story.story_id)

    def _index_story(self, story: Story) -> None:
        for key in story.index_keys:
            self._index.setdefault(key, set()).add(story.story_id)

    def _unindex(self, story: Story) -> None:
        for key in story.index_keys:
            posting = self._index.get(key)
            if posting is not None:
                posting.discard(story.story_id)
                if not posting:
                    del self._index[key]

    # ----------------------------------------------------------------------------------------- expire

    @property
    def clock(self) -> datetime | None:
        """Stream time: the newest publish time seen (None before the first article)."""
        return self._clock

    def advance(self, published: datetime) -> list[StoryUpdate]:
        """Move stream time to ``published`` (it never goes back), close the stories idle past the window,
        and return their closing records. Call it before :meth:`assign` for every article, as the Faust
        stage and ``khabar eval clustering`` do. Stream time is part of the state: the newest ``last_seen``
        of the stories, or the clock entry when a copy that waits or an article that failed moved it
        further. A restored clusterer therefore closes stories at the same articles as one that never
        stopped, and decides the same."""
        self._clock = published if self._clock is None else max(self._clock, published)
        return self.expire(self._clock)

    def expire(self, now: datetime) -> list[StoryUpdate]:
        """Close every story whose last article is older than the window; return their closing records."""
        oldest = now - self._config.window
        closed: list[StoryUpdate] = []
        while self._expiry and self._expiry[0][0] < oldest:
            seen, sid = heapq.heappop(self._expiry)
            story = self._stories.get(sid)
            if story is None or story.last_seen != seen:
                continue
            self._unindex(story)
            self._uncount_story(story, sign=-1)
            story.version += 1
            closed.append(story.snapshot("closed", at=now, top=self._config.snapshot_top, status="closed"))
            del self._stories[sid]
            self._dirty.add(_STORY + sid)
            for article_id in (*story.article_ids, *story.copy_ids):
                self._assigned.pop(article_id, None)
                self._dirty.add(_ARTICLE + article_id)
        while self._waiting_expiry and self._waiting_expiry[0][0] < oldest:
            _, copy_id = heapq.heappop(self._waiting_expiry)
            copy = self._waiting.pop(copy_id, None)
            if copy is not None:  # its original never came (dead-lettered, or older than the window)
                waiting = self._waiting_for[copy.original_id]
                waiting.remove(copy_id)
                if not waiting:
                    del self._waiting_for[copy.original_id]
                self._dirty.add(_COPY + copy_id)
                self._dropped.append(copy_id)
        return closed

    # -------------------------------------------------------------------------------- state and restore

    def drain_changes(self) -> dict[str, bytes | None]:
        """The state entries changed since the last call (None: deleted), in key order."""
        out: dict[str, bytes | None] = {}
        for key in sorted(self._dirty):
            if key.startswith(_STORY):
                story = self._stories.get(key[len(_STORY) :])
                out[key] = story.to_bytes() if story is not None else None
            elif key.startswith(_COPY):
                copy = self._waiting.get(key[len(_COPY) :])
                out[key] = copy.to_bytes() if copy is not None else None
            else:
                known = self._assigned.get(key[len(_ARTICLE) :])
                out[key] = None if known is None else json.dumps(known).encode("utf-8")
        self._dirty.clear()
        clock, newest = self._clock, self._newest_seen
        if clock is not None and clock != self._clock_written and (newest is None or clock > newest):
            out[_CLOCK] = clock.isoformat().encode("ascii")
            self._clock_written = clock
        return out

    def restore(
        self,
        entries: Mapping[str, bytes],
        *,
        on_unreadable: Callable[[str, ClusterStateError], None] | None = None,
    ) -> None:
        """Replace the state by the one ``entries`` (a table's content) describe. An entry that cannot be
        read raises :class:`ClusterStateError`, or, with ``on_unreadable``, is reported to it and left out."""
        self.__init__(self._config, embedder=self._embedder)  # type: ignore[misc]
        for key in sorted(entries):
            try:
                self._restore_entry(key, entries[key])
            except ClusterStateError as exc:
                if on_unreadable is None:
                    raise
                on_unreadable(key, exc)

    def _restore_entry(self, key: str, value: bytes) -> None:
        if key.startswith(_STORY):
            story = Story.from_bytes(value)
            self._stories[story.story_id] = story
            self._clock = _later(self._clock, story.last_seen)
            self._newest_seen = _later(self._newest_seen, story.last_seen)
            self._uncount_story(story, sign=1)
            self._index_story(story)
            heapq.heappush(self._expiry, (story.last_seen, story.story_id))
        elif key.startswith(_ARTICLE):
            try:
                sid, version, is_new = json.loads(value)
            except (ValueError, TypeError) as exc:
                raise ClusterStateError(f"entry {key!r} cannot be read: {exc}") from None
            self._assigned[key[len(_ARTICLE) :]] = (str(sid), int(version), bool(is_new))
        elif key.startswith(_COPY):
            self._wait(Copy.from_bytes(key[len(_COPY) :], value))
        elif key == _CLOCK:
            try:
                clock = datetime.fromisoformat(value.decode("ascii"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise ClusterStateError(f"entry {key!r} cannot be read: {exc}") from None
            if clock.tzinfo is None:
                raise ClusterStateError(f"entry {key!r} holds a time without a zone: {clock.isoformat()}")
            self._clock, self._clock_written = _later(self._clock, clock), clock
        else:
            raise ClusterStateError(
                f"entry {key!r} is not a clustering state key (story/…, article/…, copy/… or clock)"
            )


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None else max(a, b)


def _milestone(before: int, after: int, first: int, growth: float) -> bool:
    """Whether a story growing from ``before`` to ``after`` members passed a size of the series ``first``,
    then each time ``growth`` times larger (rounded up); never with ``first`` = 0.

    >>> [n for n in range(1, 40) if _milestone(n - 1, n, 8, 2.0)]
    [8, 16, 32]
    >>> [n for n in range(1, 40) if _milestone(n - 1, n, 8, 1.5)]
    [8, 12, 18, 27]
    """
    if first <= 0:
        return False
    size = first
    while size <= after:
        if before < size:
            return True
        size = max(size + 1, math.ceil(size * growth))
    return False


def _as_article(story: Story) -> ArticleFeatures:
    """A small story seen as one article: its term profile as the terms, its title stems as the title."""
    return ArticleFeatures(
        article_id=story.story_id,
        outlet=next(iter(story.outlets), ""),
        published=story.last_seen,
        title=story.headline,
        terms=story.term_df,
        title_terms=tuple(story.title_df),
        entity_keys=tuple(story.entity_df),
        title_grams=tuple(story.gram_df),
    )


def _survivor(a: Story, b: Story) -> tuple[Story, Story]:
    """(survivor, absorbed): the larger story survives; ties go to the older, then the smaller id."""
    first, second = sorted((a, b), key=lambda s: (-s.size, s.first_seen, s.story_id))
    return first, second


def _top(weights: Mapping[str, float] | Mapping[str, int], k: int) -> list[str]:
    """The ``k`` keys of largest weight, ties by key: ``sorted(weights, key=(-weight, key))[:k]``, sorting
    only the keys that can be among them (a big story has thousands of terms, and is refreshed per join)."""
    if len(weights) > k:
        cut = heapq.nlargest(k, weights.values())[-1]
        near: Iterable[str] = compress(weights, map(ge, weights.values(), repeat(cut)))
    else:
        near = weights
    return sorted(near, key=lambda t: (-weights[t], t))[:k]


def _least(counts: Mapping[str, int], n: int) -> list[str]:
    """The ``n`` keys of smallest count, ties by key (deterministic)."""
    return sorted(counts, key=lambda k: (counts[k], k))[:n]


def _count(counts: dict[str, int], items: Iterable[str]) -> None:
    for item in items:
        counts[item] = counts.get(item, 0) + 1


def _shared(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return {key: 1 for key in small if key in large}


def _add_counts(counts: dict[str, int], other: Mapping[str, int]) -> None:
    for item, n in other.items():
        counts[item] = counts.get(item, 0) + n


def _tally(items: dict[str, list[object]], name: str, value: object, count: int = 1) -> None:
    entry = items.get(name)
    if entry is None:
        items[name] = [value, count]
    else:
        entry[1] = int(entry[1]) + count  # type: ignore[call-overload]


def _title_words(title: str, min_length: int) -> list[str]:
    return [w for w in tokenize(normalize(title)) if len(w) > min_length and w not in _KEYWORD_STOP]


def _headline_weight(terms: list[str] | tuple[str, ...], story: Story) -> float:
    if not terms:
        return 0.0
    return sum(story.title_df.get(t, 0) for t in terms) / len(terms)

"""Index one batch of each record type, duplicates order-independently (async adapter).

An article and its duplicates may arrive in either order, on different partitions, even in different sink
workers. Each side *writes first, then reads the other side*:

- articles: merge the articles into their monthly indices (an article already indexed stays in the index that
  holds it, even if a re-fetch changed its publish month, so it is never there twice), then ``mget``
  (real-time) the relation documents of ``<prefix>-duplicates`` under their ids and merge whatever is there
  into the articles;
- duplicates: merge them into the relation documents keyed by the original's id, refresh the articles alias,
  find the originals that exist (in whichever monthly index) and merge the relations into them.

Whatever the interleaving, the side that writes second reads the other's write, so no outlet is lost; merges
are unions written with optimistic concurrency, so doing one twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from contracts.schemas import Alert, ClusteredArticle, Duplicate, StoryUpdate
from sinks.bulk import BulkOutcome, BulkWriter, ItemFailure
from sinks.documents import (
    alert_action,
    merge_article,
    merge_relation,
    merge_relation_into_article,
    repoint_article,
    story_action,
    survivors,
)
from sinks.indices import IndexNames

log = structlog.get_logger(__name__)

#: Articles moved to a survivor per search, and searches per merge batch (stories hold thousands at most).
_MOVE_PAGE = 1000
_MAX_MOVE_PASSES = 100


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome of the records' own writes (positions are the records'), and how many merges followed."""

    outcome: BulkOutcome
    merged: int = 0


class Indexer:
    """Writes clustered articles, duplicates, story snapshots and alerts under one :class:`IndexNames`."""

    def __init__(self, writer: BulkWriter, names: IndexNames) -> None:
        self._writer = writer
        self._names = names

    @property
    def writer(self) -> BulkWriter:
        return self._writer

    async def index_articles(self, records: Sequence[ClusteredArticle]) -> BatchResult:
        """Merge the articles into their monthly indices, then merge in the duplicates already recorded."""
        # The last record of an article in the batch wins (the topic is keyed by article id, so in order).
        last = {r.article.id: i for i, r in enumerate(records)}
        held = await self._locate_articles(sorted(last), refresh=False)  # searchable ones: indexed > 1 s ago
        targets = [
            (held.get(r.article.id) or self._names.article_index(r.article.published), r.article.id)
            for r in records
        ]
        moved = await self._survivors({r.story_id for r in records})  # merged already: write the survivor
        outcome = await self._writer.merge(
            targets,
            lambda i, current: (
                merge_article(current, records[i], moved) if last[records[i].article.id] == i else None
            ),
        )
        indexed = {
            targets[i][1]: targets[i][0]
            for i in range(len(records))
            if i not in outcome.failed_positions and last[records[i].article.id] == i
        }
        merged = await self._merge_relations(indexed)
        # Written first, then read the other side again: a merge written meanwhile moves the articles too.
        stories = {records[i].story_id for i in range(len(records)) if targets[i][1] in indexed}
        since = await self._survivors(stories)
        if any(moved.get(story_id) != survivor for story_id, survivor in since.items()):
            merged += await self._repoint(sorted((index, aid) for aid, index in indexed.items()), since)
        return BatchResult(outcome, merged)

    async def index_duplicates(self, records: Sequence[Duplicate]) -> BatchResult:
        """Record the duplicates under their original's id, then merge them into the originals indexed."""
        by_original: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            by_original.setdefault(r.duplicate_of, []).append(i)
        originals = sorted(by_original)
        alias = self._names.duplicates_alias
        grouped = await self._writer.merge(
            [(alias, original) for original in originals],
            lambda i, current: merge_relation(current, [records[j] for j in by_original[originals[i]]]),
        )
        failures = tuple(
            ItemFailure(j, f.action, f.status, f.error_type, f.reason)
            for f in grouped.failures
            for j in by_original[originals[f.position]]
        )
        outcome = BulkOutcome(grouped.written, grouped.noop, 0, failures, grouped.retries)
        written = [o for i, o in enumerate(originals) if i not in grouped.failed_positions]
        located = await self._locate_articles(written)
        merged = await self._merge_relations(located)
        return BatchResult(outcome, merged)

    async def index_stories(self, records: Sequence[StoryUpdate]) -> BatchResult:
        """Write the snapshots with external versions (older ones come back as ``stale``); then move the
        articles of the stories merged into others to their survivors."""
        outcome = await self._writer.write([story_action(r, self._names) for r in records])
        absorbed = {r.story_id for r in records if r.status == "merged" and r.merged_into}
        if not absorbed:
            return BatchResult(outcome)
        moved = await self._survivors(absorbed)
        repointed = 0
        # Each pass moves what it finds out of the merged stories; a move that keeps failing ends the loop.
        for _ in range(_MAX_MOVE_PASSES):
            found = await self._articles_of(sorted(moved))
            done = await self._repoint(found, moved)
            repointed += done
            if len(found) < _MOVE_PAGE or not done:
                break
        return BatchResult(outcome, repointed)

    async def index_alerts(self, records: Sequence[Alert]) -> BatchResult:
        """Create one document per alert; an alert already indexed comes back as ``stale``."""
        return BatchResult(await self._writer.write([alert_action(r, self._names) for r in records]))

    async def _survivors(self, story_ids: set[str]) -> dict[str, str]:
        """Merged story id -> its survivor, for the merged ones among ``story_ids`` (real-time reads)."""
        es, alias = self._writer.es, self._names.stories_alias
        known: dict[str, Mapping[str, Any]] = {}
        wanted = sorted(story_ids)
        for _ in range(16):  # one read per merge generation (a chain a -> b -> c reads twice)
            if not wanted:
                break
            response = await self._writer.call(
                "mget stories",
                lambda ids=wanted: es.mget(index=alias, ids=ids),  # type: ignore[misc]
            )
            docs = {d["_id"]: d["_source"] for d in response["docs"] if d.get("found")}
            known.update(docs)
            wanted = sorted(
                {str(d["merged_into"]) for d in docs.values() if d.get("status") == "merged"} - set(known)
            )
        return {sid: target for sid, target in survivors(known).items() if sid in story_ids}

    async def _articles_of(self, story_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(index, id) of up to :data:`_MOVE_PAGE` indexed articles of ``story_ids`` (after a refresh)."""
        query = {"terms": {"story_id": list(story_ids)}}
        size = _MOVE_PAGE if story_ids else 0
        hits = await self._search_articles("search articles of merged stories", query, size)
        return [(hit["_index"], hit["_id"]) for hit in hits]

    async def _repoint(self, targets: Sequence[tuple[str, str]], moved: Mapping[str, str]) -> int:
        """Move the articles at ``targets`` whose story was merged to its survivor; return how many moved."""
        if not targets:
            return 0
        outcome = await self._writer.merge(targets, lambda i, current: repoint_article(current, moved))
        for failure in outcome.failures:
            log.error(
                "moving an article to the survivor of its merged story failed",
                article=failure.action.id,
                status=failure.status,
                reason=failure.reason,
            )
        return outcome.written

    async def _locate_articles(self, ids: Sequence[str], *, refresh: bool = True) -> dict[str, str]:
        """The monthly index of each article of ``ids`` that is indexed (after a refresh, unless told not
        to); an article found in two indices (written before this rule) is taken from the older one."""
        query = {"ids": {"values": list(ids)}}
        hits = await self._search_articles("search originals", query, 2 * len(ids), refresh=refresh)
        located: dict[str, str] = {}
        for hit in sorted(hits, key=lambda h: (h["_id"], h["_index"])):
            located.setdefault(hit["_id"], hit["_index"])
        return located

    async def _search_articles(
        self, what: str, query: Mapping[str, Any], size: int, *, refresh: bool = True
    ) -> list[Any]:
        """Refresh the articles alias (unless told not to), then the hits (no source) of ``query``; none for
        ``size`` 0."""
        if not size:
            return []
        es, alias = self._writer.es, self._names.articles_alias
        if refresh:
            await self._writer.call(
                "refresh",
                lambda: es.indices.refresh(index=alias, ignore_unavailable=True, allow_no_indices=True),
            )
        found = await self._writer.call(
            what,
            lambda: es.search(
                index=alias,
                query=query,
                source=False,
                size=size,
                ignore_unavailable=True,
                allow_no_indices=True,
            ),
        )
        return list(found["hits"]["hits"])

    async def _merge_relations(self, located: Mapping[str, str]) -> int:
        """Merge the relation documents of ``located`` (article id → its index) into those articles."""
        if not located:
            return 0
        es = self._writer.es
        alias = self._names.duplicates_alias
        ids = sorted(located)
        response = await self._writer.call("mget relations", lambda: es.mget(index=alias, ids=ids))
        relations: dict[str, Mapping[str, Any]] = {
            doc["_id"]: doc["_source"] for doc in response["docs"] if doc.get("found")
        }
        if not relations:
            return 0
        targets = [(located[article_id], article_id) for article_id in sorted(relations)]
        outcome = await self._writer.merge(
            targets, lambda i, current: merge_relation_into_article(current, relations[targets[i][1]])
        )
        for failure in outcome.failures:
            log.error(
                "merging duplicates into an original failed",
                article=failure.action.id,
                index=failure.action.index,
                status=failure.status,
                reason=failure.reason,
            )
        return outcome.written

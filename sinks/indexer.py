"""Index one batch of each record type, duplicates order-independently (async adapter).

An article and its duplicates may arrive in either order, on different partitions, even in different sink
workers. Each side *writes first, then reads the other side*:

- articles: merge the articles into their monthly indices, then ``mget`` (real-time) the relation documents
  of ``<prefix>-duplicates`` under their ids and merge whatever is there into the articles;
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

from contracts.schemas import ClusteredArticle, Duplicate, StoryUpdate
from sinks.bulk import BulkOutcome, BulkWriter, ItemFailure
from sinks.documents import merge_article, merge_relation, merge_relation_into_article, story_action
from sinks.indices import IndexNames

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome of the records' own writes (positions are the records'), and how many merges followed."""

    outcome: BulkOutcome
    merged: int = 0


class Indexer:
    """Writes clustered articles, duplicates and story snapshots under one :class:`IndexNames`."""

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
        targets = [(self._names.article_index(r.article.published), r.article.id) for r in records]
        outcome = await self._writer.merge(
            targets,
            lambda i, current: (
                merge_article(current, records[i]) if last[records[i].article.id] == i else None
            ),
        )
        indexed = {
            targets[i][1]: targets[i][0]
            for i in range(len(records))
            if i not in outcome.failed_positions and last[records[i].article.id] == i
        }
        merged = await self._merge_relations(indexed)
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
        """Write the snapshots with external versions; older ones come back as ``stale``."""
        return BatchResult(await self._writer.write([story_action(r, self._names) for r in records]))

    async def _locate_articles(self, ids: Sequence[str]) -> dict[str, str]:
        """The monthly index of each article of ``ids`` that is indexed (after a refresh)."""
        if not ids:
            return {}
        es = self._writer.es
        alias = self._names.articles_alias
        await self._writer.call(
            "refresh", lambda: es.indices.refresh(index=alias, ignore_unavailable=True, allow_no_indices=True)
        )
        found = await self._writer.call(
            "search originals",
            lambda: es.search(
                index=alias,
                query={"ids": {"values": list(ids)}},
                source=False,
                size=len(ids),
                ignore_unavailable=True,
                allow_no_indices=True,
            ),
        )
        return {hit["_id"]: hit["_index"] for hit in found["hits"]["hits"]}

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

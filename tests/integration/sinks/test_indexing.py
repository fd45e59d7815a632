"""Indexing against the real Elasticsearch: versions, partial failures, duplicates in any order, replays."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts.settings import Settings
from sinks.documents import BulkAction
from sinks.elasticsearch import client
from sinks.indexer import Indexer
from sinks.indices import IndexNames
from tests.unit.sinks.factories import PUBLISHED, alert, clustered, duplicate, story


def _es(stack: Settings) -> Any:
    return client(stack.elasticsearch)


def _source(stack: Settings, index: str, doc_id: str) -> dict[str, Any]:
    es = _es(stack)
    try:
        found: dict[str, Any] = es.get(index=index, id=doc_id)
        return found
    finally:
        es.close()


def _snapshot(stack: Settings, names: IndexNames) -> dict[tuple[str, str], tuple[int, int, Any]]:
    """Every document of the prefix: (index, id) → (version, seq_no, source)."""
    es = _es(stack)
    try:
        es.indices.refresh(index=names.all_pattern)
        hits = es.search(index=names.all_pattern, size=1000, version=True, seq_no_primary_term=True)
        return {
            (h["_index"], h["_id"]): (h["_version"], h["_seq_no"], h["_source"]) for h in hits["hits"]["hits"]
        }
    finally:
        es.close()


async def test_an_old_story_version_arriving_late_is_ignored(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    first = await indexer.index_stories([story("s1", 1, headline="أول"), story("s1", 3, headline="ثالث")])
    late = await indexer.index_stories([story("s1", 2, headline="ثان")])

    assert first.outcome.written == 2
    assert late.outcome.stale == 1
    assert not late.outcome.failures
    doc = _source(stack, sink_names.stories_alias, "s1")
    assert doc["_version"] == 3
    assert doc["_source"]["headline"] == "ثالث"


async def test_a_merged_story_is_marked_and_points_to_the_survivor(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    await indexer.index_stories([story("small", 1), story("big", 4, article_count=9)])
    await indexer.index_stories([story("small", 2, event="merged", status="merged", merged_into="big")])

    doc = _source(stack, sink_names.stories_alias, "small")["_source"]
    assert (doc["status"], doc["merged_into"], doc["version"]) == ("merged", "big", 2)


async def test_an_alert_is_one_document_however_often_it_is_delivered(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    fired = [alert("a1"), alert("a2", rule="watch", detail="ابها", reason="names «أبها» (place)")]
    first = await indexer.index_alerts(fired)
    before = _snapshot(stack, sink_names)
    again = await indexer.index_alerts([fired[1], fired[0], fired[1]])  # a redelivered batch, reordered

    assert (first.outcome.written, first.outcome.stale) == (2, 0)
    assert (again.outcome.written, again.outcome.stale, again.outcome.failures) == (0, 3, ())
    assert _snapshot(stack, sink_names) == before
    es = _es(stack)
    try:
        # searchable in Arabic: the watched place, written with hamza, finds the alert on أبها
        hits = es.search(index=sink_names.alerts_alias, query={"match": {"reason": "ابها"}})["hits"]["hits"]
        assert [h["_id"] for h in hits] == ["a2"]
        assert hits[0]["_source"]["outlet_count"] == 5
    finally:
        es.close()


def _stories_of(stack: Settings, names: IndexNames, ids: list[str]) -> dict[str, str]:
    es = _es(stack)
    try:
        es.indices.refresh(index=names.articles_alias)
        hits = es.search(index=names.articles_alias, query={"ids": {"values": ids}}, size=len(ids))
        return {h["_id"]: h["_source"]["story_id"] for h in hits["hits"]["hits"]}
    finally:
        es.close()


async def test_the_articles_of_a_merged_story_move_to_the_survivor_whatever_arrives_first(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    early = [clustered(story_id="small", story_version=n) for n in (1, 2)]
    await indexer.index_articles(early)  # the articles first ...
    await indexer.index_stories([story("small", 2), story("big", 4, article_count=9)])
    result = await indexer.index_stories(
        [story("small", 3, event="merged", status="merged", merged_into="big")]
    )
    assert result.merged == 2  # ... then the merge moves them
    late = clustered(story_id="small", story_version=2)  # an article of the small story arriving after it
    await indexer.index_articles([late])
    ids = [a.article.id for a in [*early, late]]
    assert _stories_of(stack, sink_names, ids) == dict.fromkeys(ids, "big")

    # a later merge of the survivor carries them all along, and a replay changes nothing
    await indexer.index_stories([story("big", 5, event="merged", status="merged", merged_into="bigger")])
    assert _stories_of(stack, sink_names, ids) == dict.fromkeys(ids, "bigger")
    before = _snapshot(stack, sink_names)
    await indexer.index_articles([*early, late])
    await indexer.index_stories([story("small", 3, event="merged", status="merged", merged_into="big")])
    assert _snapshot(stack, sink_names) == before


async def test_one_bad_document_fails_alone_and_the_rest_is_indexed(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    good = [clustered() for _ in range(4)]
    # a keyword longer than Lucene's 32 766-byte term limit: Elasticsearch refuses this one document
    bad = clustered(keywords=["ك" * 20000])
    batch = [*good[:2], bad, *good[2:]]

    result = await indexer.index_articles(batch)

    assert result.outcome.written == 4
    [failure] = result.outcome.failures
    assert failure.position == 2
    assert failure.status == 400
    assert failure.action.id == bad.article.id
    es = _es(stack)
    try:
        es.indices.refresh(index=sink_names.articles_alias)
        ids = {h["_id"] for h in es.search(index=sink_names.articles_alias, size=10)["hits"]["hits"]}
    finally:
        es.close()
    assert ids == {r.article.id for r in good}


async def test_a_strict_mapping_error_is_returned_not_retried(
    indexer: Indexer, sink_names: IndexNames
) -> None:
    writer = indexer._writer
    actions = [
        BulkAction("index", sink_names.stories_index, "ok", {"story_id": "ok", "headline": "عنوان"}),
        BulkAction("index", sink_names.stories_index, "bad", {"story_id": "bad", "no_such_field": 1}),
    ]
    outcome = await writer.write(actions)
    assert outcome.written == 1
    assert [(f.position, f.error_type) for f in outcome.failures] == [(1, "strict_dynamic_mapping_exception")]


async def test_duplicate_before_and_after_the_original_give_the_same_article(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    early, late = clustered(also_published_by=["alriyadh"]), clustered(also_published_by=["alriyadh"])
    # duplicate first, then the original
    await indexer.index_duplicates([duplicate(early.article.id, outlet="okaz")])
    await indexer.index_articles([early])
    # original first, then the duplicate
    await indexer.index_articles([late])
    await indexer.index_duplicates([duplicate(late.article.id, outlet="okaz")])

    index = sink_names.article_index(PUBLISHED)
    for record in (early, late):
        doc = _source(stack, index, record.article.id)["_source"]
        assert doc["also_published_by"] == ["alriyadh", "okaz"], record.article.id
        [entry] = doc["duplicates"]
        assert entry["outlet"] == "okaz"
        assert entry["url"].startswith("https://okaz.example/")
        assert doc["title"] == record.article.title


async def test_a_rewrite_of_the_original_keeps_what_duplicates_added(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    original = clustered()
    await indexer.index_articles([original])
    await indexer.index_duplicates([duplicate(original.article.id, outlet="okaz")])
    moved = original.model_copy(update={"story_version": 2})
    await indexer.index_articles([moved])

    doc = _source(stack, sink_names.article_index(PUBLISHED), original.article.id)["_source"]
    assert doc["also_published_by"] == ["okaz"]
    assert doc["story_version"] == 2


async def test_replaying_the_same_stream_leaves_the_index_unchanged(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    articles = [clustered(story_id="s1", story_version=i + 1) for i in range(5)]
    duplicates = [duplicate(articles[0].article.id), duplicate(articles[1].article.id, outlet="alwatan")]
    stories = [story("s1", v, article_count=v) for v in range(1, 6)]

    async def play() -> None:
        await indexer.index_duplicates(duplicates[:1])
        await indexer.index_articles(articles)
        await indexer.index_duplicates(duplicates[1:])
        await indexer.index_stories(stories)

    await play()
    before = _snapshot(stack, sink_names)
    await play()
    after = _snapshot(stack, sink_names)

    assert len(before) == 5 + 2 + 1  # articles, relation documents, one story
    assert after == before


async def test_an_article_refetched_with_another_publish_month_stays_one_document(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    # A feed item without a date is stamped with its fetch time: fetched again after midnight on the 1st,
    # the same article comes back with another month.
    january = clustered(published=datetime(2015, 1, 31, 23, 50, tzinfo=UTC))
    february = clustered(id=january.article.id, published=datetime(2015, 2, 1, 0, 10, tzinfo=UTC))
    await indexer.index_articles([january])
    es = _es(stack)
    try:
        es.indices.refresh(index=sink_names.all_pattern)
    finally:
        es.close()
    await indexer.index_articles([february])

    documents = [key for key in _snapshot(stack, sink_names) if key[1] == january.article.id]
    assert documents == [(sink_names.article_index(january.article.published), january.article.id)]
    kept = _source(stack, documents[0][0], january.article.id)["_source"]
    assert kept["published"].startswith(
        "2015-02-01T00:10"
    )  # the newer record's content, in the index that held it

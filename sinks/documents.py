"""Records → Elasticsearch documents and bulk actions (pure: no client).

Elasticsearch scripts are not used (the local stack has no ``lang-painless``, and merges are easier to test as
plain functions). Documents that two writers share are merged here, in Python, and written back with
optimistic concurrency (``if_seq_no``/``if_primary_term``, or ``create`` for a new document) by
:meth:`sinks.bulk.BulkWriter.merge`, which re-reads and re-merges on a 409:

- an article (``_id`` = article id, monthly index by ``published``) gets the record's own fields, while
  ``also_published_by`` and ``duplicates`` are *unions* of what is stored and what arrives, so the article
  write never erases what a duplicate added, and vice versa. An older assignment to the same story (lower
  ``story_version``) is ignored;
- a duplicate is recorded in ``<prefix>-duplicates`` under the *original's* id, the one address a duplicate
  knows without knowing the original's month, and merged into the original wherever it is;
- a story is an ``index`` with ``version_type=external`` and ``version`` = story version: an older snapshot
  never overwrites a newer one, and Elasticsearch's 409 for it is expected, not an error;
- when a story is merged into another, its articles move to the survivor (:func:`survivors`,
  :func:`repoint_article`), whichever of the merge and the articles reaches Elasticsearch first;
- an alert is a ``create`` under its id (:func:`alert_action`): an alert fired once is one document, however
  often it is delivered, and the 409 of a repeat is expected.

A merge that changes nothing is not written at all, so replaying a stream leaves every document (and its
``_version``) untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from contracts.schemas import Alert, ClusteredArticle, Duplicate, Place, StoryUpdate
from sinks.indices import IndexNames

Op = Literal["index", "create"]
# What a 409 means: a real error, an older version (fine), or a lost race (re-read, merge again).
OnConflict = Literal["error", "stale", "retry"]


@dataclass(frozen=True, slots=True)
class BulkAction:
    """One bulk operation: what to write where, under which version or sequence-number condition."""

    op: Op
    index: str
    id: str
    source: Mapping[str, Any]
    version: int | None = None
    if_seq_no: int | None = None
    if_primary_term: int | None = None
    on_conflict: OnConflict = "error"

    def lines(self) -> list[dict[str, Any]]:
        """The action and its document as the two NDJSON lines of the bulk API.

        >>> BulkAction("index", "i", "1", {"a": 1}, version=3).lines()[0]
        {'index': {'_index': 'i', '_id': '1', 'version': 3, 'version_type': 'external'}}
        """
        header: dict[str, Any] = {"_index": self.index, "_id": self.id}
        if self.version is not None:
            header["version"] = self.version
            header["version_type"] = "external"
        if self.if_seq_no is not None and self.if_primary_term is not None:
            header["if_seq_no"] = self.if_seq_no
            header["if_primary_term"] = self.if_primary_term
        return [{self.op: header}, dict(self.source)]


def _place(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "country_code": place.country_code,
        "feature": place.feature,
        "location": {"lat": place.lat, "lon": place.lon},
    }


def article_document(record: ClusteredArticle) -> dict[str, Any]:
    """The article as stored in Elasticsearch, before any duplicate is merged in.

    >>> from datetime import UTC, datetime
    >>> from contracts.schemas import EnrichedArticle
    >>> now = datetime(2015, 8, 8, tzinfo=UTC)
    >>> a = EnrichedArticle(id="a" * 16, url="u", canonical_url="u", outlet="sabq", title="t", content="c",
    ...                     published=now, fetched_at=now, language="ar", word_count=1, reading_time_s=1)
    >>> doc = article_document(ClusteredArticle(article=a, story_id="s1", story_version=2))
    >>> doc["story_id"], doc["published"], doc["body"]
    ('s1', '2015-08-08T00:00:00Z', 'c')
    """
    article = record.article
    data = article.model_dump(mode="json")
    return {
        "id": article.id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "outlet": article.outlet,
        "language": article.language,
        "author": article.author,
        "published": data["published"],
        "fetched_at": data["fetched_at"],
        "title": article.title,
        "body": article.content or article.summary,
        "lead": article.lead,
        "keywords": list(article.keywords),
        "entities": [{"name": e.name, "type": e.type} for e in article.entities],
        "people": [e.name for e in article.entities if e.type == "person"],
        "organisations": [e.name for e in article.entities if e.type == "organisation"],
        "places": [_place(p) for p in article.places],
        "place_names": [p.name for p in article.places],
        "locations": [{"lat": p.lat, "lon": p.lon} for p in article.places],
        "story_id": record.story_id,
        "story_version": record.story_version,
        "duplicate_of": None,
        "also_published_by": sorted(set(article.also_published_by)),
        "duplicates": [],
        "word_count": article.word_count,
        "reading_time_s": article.reading_time_s,
    }


def union_outlets(*lists: Iterable[str] | None) -> list[str]:
    """The sorted union of outlet lists (``None`` counts as empty).

    >>> union_outlets(["okaz", "sabq"], None, ["alriyadh", "okaz"])
    ['alriyadh', 'okaz', 'sabq']
    """
    return sorted({outlet for lst in lists for outlet in (lst or [])})


def union_duplicates(*lists: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Duplicate entries by id, the first seen kept, sorted by id.

    >>> union_duplicates([{"id": "b", "outlet": "x"}], [{"id": "a", "outlet": "y"}, {"id": "b"}])
    [{'id': 'a', 'outlet': 'y'}, {'id': 'b', 'outlet': 'x'}]
    """
    merged: dict[str, dict[str, Any]] = {}
    for lst in lists:
        for entry in lst or []:
            merged.setdefault(str(entry["id"]), dict(entry))
    return [merged[key] for key in sorted(merged)]


def merge_article(
    current: Mapping[str, Any] | None, record: ClusteredArticle, moved: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """The article document after ``record`` is applied to what is stored; ``None``: keep what is stored.

    A late record for the same story with a lower ``story_version`` is ignored; the lists are unions. A record
    whose story was merged (``moved``: story id -> survivor) is written under the survivor.

    >>> from datetime import UTC, datetime
    >>> from contracts.schemas import EnrichedArticle
    >>> now = datetime(2015, 8, 8, tzinfo=UTC)
    >>> a = EnrichedArticle(id="a" * 16, url="u", canonical_url="u", outlet="sabq", title="t",
    ...                     published=now, fetched_at=now, language="ar", word_count=1, reading_time_s=1)
    >>> merged = merge_article({"also_published_by": ["okaz"]}, ClusteredArticle(article=a, story_id="s",
    ...                                                                           story_version=1))
    >>> merged["also_published_by"]
    ['okaz']
    """
    incoming = article_document(record)
    if moved and record.story_id in moved:
        incoming.update(repoint_article(incoming, moved) or {})
    if current is None:
        return incoming
    if (
        current.get("story_id") == incoming["story_id"]
        and int(current.get("story_version") or 0) > (incoming["story_version"])
    ):
        return None
    incoming["also_published_by"] = union_outlets(
        current.get("also_published_by"), incoming["also_published_by"]
    )
    incoming["duplicates"] = union_duplicates(current.get("duplicates"))
    return incoming


def duplicate_entry(record: Duplicate) -> dict[str, Any]:
    """What an original keeps about one of its duplicates: its id, outlet, url, method and similarity.

    >>> from datetime import UTC, datetime
    >>> d = Duplicate(article_id="b" * 16, duplicate_of="a" * 16, outlet="okaz", original_outlet="sabq",
    ...               url="https://okaz.sa/1", similarity=0.9, method="minhash",
    ...               detected_at=datetime.now(UTC))
    >>> duplicate_entry(d)["outlet"]
    'okaz'
    """
    return {
        "id": record.article_id,
        "outlet": record.outlet,
        "url": record.url,
        "method": record.method,
        "similarity": record.similarity,
    }


def merge_relation(current: Mapping[str, Any] | None, records: Sequence[Duplicate]) -> dict[str, Any]:
    """The relation document of one original (``_id`` = its id) with ``records`` added.

    >>> from datetime import UTC, datetime
    >>> d = Duplicate(article_id="b" * 16, duplicate_of="a" * 16, outlet="okaz", original_outlet="sabq",
    ...               url="https://okaz.sa/1", similarity=0.9, method="minhash",
    ...               detected_at=datetime.now(UTC))
    >>> merge_relation({"original_id": "a" * 16, "also_published_by": ["alwatan"]}, [d])["also_published_by"]
    ['alwatan', 'okaz']
    """
    current = current or {}
    original = records[0].duplicate_of if records else str(current.get("original_id", ""))
    return {
        "original_id": original,
        "also_published_by": union_outlets(current.get("also_published_by"), [r.outlet for r in records]),
        "duplicates": union_duplicates(current.get("duplicates"), [duplicate_entry(r) for r in records]),
    }


def merge_relation_into_article(
    current: Mapping[str, Any] | None, relation: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The original article with its relation document merged in; ``None`` if the article is not there.

    >>> merge_relation_into_article({"id": "a", "also_published_by": ["x"]}, {"also_published_by": ["y"]})
    {'id': 'a', 'also_published_by': ['x', 'y'], 'duplicates': []}
    """
    if current is None:
        return None
    merged = dict(current)
    merged["also_published_by"] = union_outlets(
        current.get("also_published_by"), relation.get("also_published_by")
    )
    merged["duplicates"] = union_duplicates(current.get("duplicates"), relation.get("duplicates"))
    return merged


def survivors(stories: Mapping[str, Mapping[str, Any]], *, hops: int = 16) -> dict[str, str]:
    """Story id -> the story it now lives in, for the merged ones among ``stories`` (id -> stored story
    document), following ``merged_into`` through later merges while the documents are known.

    >>> survivors({"a": {"status": "merged", "merged_into": "b"}, "b": {"status": "merged",
    ...            "merged_into": "c"}, "c": {"status": "active"}, "d": {"status": "closed"}})
    {'a': 'c', 'b': 'c'}
    """
    out: dict[str, str] = {}
    for story_id in stories:
        target, seen = story_id, {story_id}
        for _ in range(hops):
            doc = stories.get(target)
            if not doc or doc.get("status") != "merged" or not doc.get("merged_into"):
                break
            target = str(doc["merged_into"])
            if target in seen:  # a cycle cannot come from the clusterer; stop rather than loop
                break
            seen.add(target)
        if target != story_id:
            out[story_id] = target
    return out


def repoint_article(current: Mapping[str, Any] | None, merged: Mapping[str, str]) -> dict[str, Any] | None:
    """The stored article moved to the survivor of its merged story (``merged``: story id -> survivor);
    ``None``: nothing to change (absent, or its story was not merged).

    >>> repoint_article({"story_id": "a", "story_version": 3, "title": "t"}, {"a": "c"})
    {'story_id': 'c', 'story_version': 0, 'title': 't'}
    """
    if current is None or current.get("story_id") not in merged:
        return None
    # The version counted joins of the absorbed story; the survivor's own snapshots carry its versions.
    return {**current, "story_id": merged[str(current["story_id"])], "story_version": 0}


def story_document(update: StoryUpdate) -> dict[str, Any]:
    """The story snapshot as stored in Elasticsearch (merged stories keep ``merged_into``).

    >>> from datetime import UTC, datetime
    >>> now = datetime(2015, 8, 8, tzinfo=UTC)
    >>> s = StoryUpdate(story_id="s1", version=2, event="merged", status="merged", merged_into="s0",
    ...                 headline="h", first_seen=now, last_seen=now, article_count=3, updated_at=now)
    >>> story_document(s)["merged_into"], story_document(s)["status"]
    ('s0', 'merged')
    """
    data = update.model_dump(mode="json")
    return {
        "story_id": update.story_id,
        "version": update.version,
        "status": update.status,
        "merged_into": update.merged_into,
        "headline": update.headline,
        "summary": update.summary,
        # what the story is about, as searchable text: a story whose headline names neither the place nor
        # the people is still found by them (تفجير أبها finds the story headlined مجلس الأمن يدين التفجير)
        "about": [
            *update.top_keywords,
            *(e.name for e in update.top_entities),
            *(p.name for p in update.top_places),
        ],
        "article_count": update.article_count,
        "outlet_count": update.outlet_count,
        "outlets": list(update.outlets),
        "first_seen": data["first_seen"],
        "last_seen": data["last_seen"],
        "updated_at": data["updated_at"],
        "top_keywords": list(update.top_keywords),
        "top_entities": [e.name for e in update.top_entities],
        "top_places": [_place(p) for p in update.top_places],
        "locations": [{"lat": p.lat, "lon": p.lon} for p in update.top_places],
    }


def story_action(update: StoryUpdate, names: IndexNames) -> BulkAction:
    """The externally versioned write of one story snapshot; a 409 means a newer version is already there.

    >>> from datetime import UTC, datetime
    >>> now = datetime(2015, 8, 8, tzinfo=UTC)
    >>> s = StoryUpdate(story_id="s1", version=4, event="updated", status="active", headline="h",
    ...                 first_seen=now, last_seen=now, article_count=3, updated_at=now)
    >>> story_action(s, IndexNames("khabar")).lines()[0]["index"]["version"]
    4
    """
    return BulkAction(
        "index",
        names.stories_alias,
        update.story_id,
        story_document(update),
        version=update.version,
        on_conflict="stale",
    )


def alert_document(alert: Alert) -> dict[str, Any]:
    """The alert as stored in Elasticsearch: the record's fields and its outlet count.

    >>> from datetime import UTC, datetime
    >>> a = Alert(alert_id="a1", rule="growth", detail="5", reason="reached 5 outlets", story_id="s1",
    ...           story_version=7, headline="h", outlets=["okaz", "sabq"], article_count=9,
    ...           fired_at=datetime(2015, 8, 8, 9, tzinfo=UTC))
    >>> doc = alert_document(a)
    >>> doc["fired_at"], doc["outlet_count"], doc["rule"]
    ('2015-08-08T09:00:00Z', 2, 'growth')
    """
    document = alert.model_dump(mode="json", exclude={"kind", "schema_version"})
    document["outlet_count"] = len(set(alert.outlets))
    return document


def alert_action(alert: Alert, names: IndexNames) -> BulkAction:
    """The write of one alert: ``create`` under the alert id, so a repeat is a 409 marked ``stale``.

    >>> from datetime import UTC, datetime
    >>> a = Alert(alert_id="a1", rule="watch", detail="ابها", reason="r", story_id="s1", story_version=1,
    ...           headline="h", article_count=1, fired_at=datetime(2015, 8, 8, tzinfo=UTC))
    >>> alert_action(a, IndexNames("khabar")).lines()[0]
    {'create': {'_index': 'khabar-alerts', '_id': 'a1'}}
    """
    document = alert_document(alert)
    return BulkAction("create", names.alerts_alias, alert.alert_id, document, on_conflict="stale")

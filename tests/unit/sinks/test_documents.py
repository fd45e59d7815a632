"""Documents and merges: order-independent unions, story versions, stale assignments."""

from __future__ import annotations

from sinks.documents import (
    alert_action,
    alert_document,
    article_document,
    merge_article,
    merge_relation,
    merge_relation_into_article,
    repoint_article,
    story_action,
    survivors,
    union_duplicates,
)
from sinks.indices import IndexNames
from sinks.templates import ALERTS_ALIAS, load_templates
from tests.unit.sinks.factories import PUBLISHED, alert, clustered, duplicate, story


def test_article_document_has_geo_points_names_entities_and_story() -> None:
    doc = article_document(clustered(story_id="s9", story_version=3))
    assert doc["locations"] == [{"lat": 24.69, "lon": 46.72}]
    assert doc["places"][0]["location"] == {"lat": 24.69, "lon": 46.72}
    assert doc["place_names"] == ["الرياض"]
    assert doc["people"] == ["بشار الأسد"]
    assert doc["organisations"] == ["الأمم المتحدة"]
    assert (doc["story_id"], doc["story_version"]) == ("s9", 3)
    assert doc["published"] == "2015-08-08T06:30:00Z"


def test_article_goes_to_the_index_of_its_publish_month() -> None:
    assert IndexNames("k").article_index(PUBLISHED) == "k-articles-2015.08"


def test_duplicate_then_article_equals_article_then_duplicate() -> None:
    record = clustered(also_published_by=["alriyadh"])
    relation = merge_relation(None, [duplicate(record.article.id, id="b" * 16, outlet="okaz")])
    first = merge_relation_into_article(merge_article(None, record), relation)
    stored_before = merge_relation_into_article({}, relation)
    second = merge_article(stored_before, record)
    assert first == second
    assert first is not None
    assert first["also_published_by"] == ["alriyadh", "okaz"]


def test_rewriting_an_article_keeps_the_outlets_duplicates_added() -> None:
    record = clustered()
    stored = merge_relation_into_article(
        merge_article(None, record), merge_relation(None, [duplicate(record.article.id, outlet="okaz")])
    )
    again = merge_article(stored, record.model_copy(update={"story_version": 2}))
    assert again is not None
    assert again["also_published_by"] == ["okaz"]
    assert len(again["duplicates"]) == 1


def test_an_older_assignment_to_the_same_story_is_ignored_but_another_story_wins() -> None:
    stored = merge_article(None, clustered(story_id="s1", story_version=5))
    record = clustered(story_id="s1", story_version=4)
    assert merge_article(stored, record) is None
    moved = merge_article(stored, clustered(story_id="s2", story_version=1))
    assert moved is not None
    assert moved["story_id"] == "s2"


def test_merging_the_same_relation_twice_changes_nothing() -> None:
    dup = duplicate("a" * 16)
    once = merge_relation(None, [dup])
    assert merge_relation(once, [dup]) == once
    article = merge_relation_into_article({"id": "a"}, once)
    assert merge_relation_into_article(article, once) == article


def test_union_keeps_the_first_entry_of_an_id() -> None:
    assert union_duplicates([{"id": "x", "outlet": "a"}], [{"id": "x", "outlet": "b"}]) == [
        {"id": "x", "outlet": "a"}
    ]


def test_story_is_externally_versioned_and_a_409_is_stale() -> None:
    action = story_action(story("s1", 7, event="merged", status="merged", merged_into="s0"), IndexNames("k"))
    header = action.lines()[0]["index"]
    assert header == {"_index": "k-stories", "_id": "s1", "version": 7, "version_type": "external"}
    assert action.on_conflict == "stale"
    assert action.source["merged_into"] == "s0"
    assert action.source["status"] == "merged"
    assert action.source["summary"] == "ملخص القصة"
    # what the story is about, searchable: keywords, people and organisations, places
    assert action.source["about"] == ["المعارضة", "بشار الأسد", "الرياض"]


def test_an_alert_is_created_once_under_its_id_and_a_repeat_is_stale() -> None:
    action = alert_action(alert("a-7", story_id="s3"), IndexNames("k"))
    assert action.lines()[0] == {"create": {"_index": "k-alerts", "_id": "a-7"}}
    assert action.on_conflict == "stale"
    assert action.source["story_id"] == "s3"
    assert action.source["outlet_count"] == 5
    assert action.source["fired_at"] == "2015-08-08T08:00:00Z"


def test_an_alert_document_has_exactly_the_fields_of_the_strict_mapping() -> None:
    # the alerts mapping is strict: a record field it does not map would make every alert a dead letter
    mapping = load_templates().index[ALERTS_ALIAS]["template"]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert set(alert_document(alert())) == set(mapping["properties"])


def test_survivors_follow_merges_and_stop_at_unknown_stories_and_cycles() -> None:
    merged = {"status": "merged"}
    stories = {
        "a": {**merged, "merged_into": "b"},
        "b": {**merged, "merged_into": "gone"},  # the survivor's own document is not known yet
        "x": {**merged, "merged_into": "y"},
        "y": {**merged, "merged_into": "x"},
        "live": {"status": "active"},
    }
    assert survivors(stories) == {"a": "gone", "b": "gone"}  # a cycle (never made) moves nothing


def test_an_article_of_a_merged_story_is_written_under_the_survivor() -> None:
    record = clustered(story_id="small", story_version=7)
    doc = merge_article(None, record, {"small": "big"})
    assert doc is not None
    assert (doc["story_id"], doc["story_version"]) == ("big", 0)
    assert merge_article(doc, record, {"small": "big"}) == doc  # again: nothing changes
    assert repoint_article(doc, {"small": "big"}) is None  # already there
    assert repoint_article({"story_id": "small", "story_version": 7}, {"small": "big"}) == {
        "story_id": "big",
        "story_version": 0,
    }

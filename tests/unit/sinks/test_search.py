"""Search request bodies, --since parsing and hit parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sinks.errors import SearchError
from sinks.indices import IndexNames
from sinks.search import (
    MARK_END,
    MARK_START,
    article_search,
    parse_hits,
    parse_since,
    story_search,
    top_stories,
)

NAMES = IndexNames("k")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(days=1)),
        ("7d", timedelta(days=7)),
        (" 2w ", timedelta(weeks=2)),
    ],
)
def test_since(text: str, expected: timedelta) -> None:
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["", "24", "h", "3x", "0h", "-1d"])
def test_bad_since_names_the_input(text: str) -> None:
    with pytest.raises(SearchError, match="--since"):
        parse_since(text)


def test_article_search_boosts_titles_and_exact_forms_and_filters() -> None:
    since = datetime(2015, 8, 7, tzinfo=UTC)
    body = article_search("الأسد", NAMES, outlet="Sabq ", since=since, place="دمشق", size=5).body
    fields = body["query"]["bool"]["must"][0]["bool"]["must"][0]["multi_match"]["fields"]
    assert fields[:2] == ["title^3", "title.exact^6"]
    assert "body" in fields
    assert body["query"]["bool"]["filter"] == [
        {"term": {"outlet": "sabq"}},
        {"range": {"published": {"gte": "2015-08-07T00:00:00+00:00"}}},
        {
            "bool": {
                "should": [
                    {"term": {"place_names": "دمشق"}},
                    {"match": {"place_names.words": {"query": "دمشق", "operator": "and"}}},
                ],
                "minimum_should_match": 1,
            }
        },
    ]
    assert body["highlight"]["pre_tags"] == [MARK_START]
    assert body["size"] == 5


def test_story_searches_leave_merged_stories_out() -> None:
    merged_out = [{"term": {"status": "merged"}}]
    story_query = story_search("قصة", NAMES).body["query"]["function_score"]["query"]
    assert story_query["bool"]["must_not"] == merged_out
    assert top_stories(NAMES, top=3).body["query"]["bool"]["must_not"] == merged_out
    assert story_search("قصة", NAMES).index == top_stories(NAMES, top=3).index == "k-stories"
    assert top_stories(NAMES, top=3).body["size"] == 3


def test_story_search_reads_what_a_story_is_about_and_weighs_its_size() -> None:
    scored = story_search("تفجير أبها", NAMES).body["query"]["function_score"]
    text = scored["query"]["bool"]["must"][0]["bool"]
    assert {"about", "about.exact^2"} <= set(text["must"][0]["multi_match"]["fields"])
    assert scored["field_value_factor"]["field"] == "article_count"
    assert scored["boost_mode"] == "multiply"


def test_parse_hits_keeps_rank_and_highlights() -> None:
    response = {
        "hits": {
            "hits": [
                {
                    "_id": "s1",
                    "_score": 3.0,
                    "_source": {
                        "headline": "أ",
                        "outlets": ["sabq", "okaz"],
                        "article_count": 4,
                        "last_seen": "2015-08-08T00:00:00Z",
                    },
                    "highlight": {"headline": [f"{MARK_START}أ{MARK_END}"]},
                },
                {"_id": "s2", "_score": 1.0, "_source": {"headline": "ب"}},
            ]
        }
    }
    hits = parse_hits(response, "story")
    assert [h.id for h in hits] == ["s1", "s2"]
    assert hits[0].article_count == 4
    assert hits[0].outlets == ["sabq", "okaz"]
    assert hits[0].highlights == [f"{MARK_START}أ{MARK_END}"]


def test_quoted_phrases_are_required_and_the_other_words_rank_side_by_side() -> None:
    query = article_search('"F-16" «الأمم المتحدة» قصف سوريا', NAMES).body["query"]["bool"]["must"][0]["bool"]
    assert [(c["multi_match"]["query"], c["multi_match"]["type"]) for c in query["must"]] == [
        ("F-16", "phrase"),
        ("الأمم المتحدة", "phrase"),
        ("قصف سوريا", "most_fields"),
    ]
    [near] = query["should"]
    assert (near["multi_match"]["query"], near["multi_match"]["type"], near["multi_match"]["slop"]) == (
        "قصف سوريا",
        "phrase",
        2,
    )
    only_phrase = article_search("«الأمم المتحدة»", NAMES).body["query"]["bool"]["must"][0]["bool"]
    assert [c["multi_match"]["type"] for c in only_phrase["must"]] == ["phrase"]
    assert only_phrase["should"] == []

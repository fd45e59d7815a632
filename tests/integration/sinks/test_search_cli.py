"""`khabar search` and `khabar stories` with CliRunner against a uuid index prefix on the real ES."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from contracts.schemas import Place
from contracts.settings import Settings
from khabar.cli import cli
from khabar.run_cmd import search_hint
from sinks.elasticsearch import client
from sinks.indexer import Indexer
from sinks.indices import IndexNames
from sinks.render import FSI
from tests.unit.sinks.factories import clustered, story

NOW = datetime.now(UTC)
ASSAD = "الرئيس بشار الأسد يستقبل وفدا روسيا"
LION = "ولادة أسد صغير في حديقة الحيوان"
GENEVA = "المعارضون يجتمعون في جنيف"


async def _index(stack: Settings, indexer: Indexer, names: IndexNames) -> None:
    await indexer.index_articles(
        [
            clustered(id="a" * 16, outlet="sabq", title=ASSAD, content=ASSAD, published=NOW),
            clustered(id="b" * 16, outlet="okaz", title=LION, content=LION, published=NOW),
            clustered(id="c" * 16, outlet="okaz", title=GENEVA, content=GENEVA, published=NOW),
        ]
    )
    await indexer.index_stories(
        [
            story("big", 3, headline="تقدم المعارضة في ريف اللاذقية", article_count=12, last_seen=NOW),
            story(
                "small",
                1,
                headline="افتتاح مدرسة جديدة",
                article_count=2,
                top_keywords=["مدرسة"],
                last_seen=NOW,
            ),
            story(
                "gone",
                2,
                headline="قصة مدمجة",
                article_count=30,
                status="merged",
                event="merged",
                merged_into="big",
                last_seen=NOW,
            ),
        ]
    )
    es = client(stack.elasticsearch)
    es.indices.refresh(index=names.all_pattern)
    es.close()


def _invoke(names: IndexNames, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"KHABAR_SINKS__INDEX_PREFIX": names.prefix})
    assert result.exit_code == 0, result.output
    return result.output


async def test_search_ranks_the_name_above_the_lion_and_filters(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    await _index(stack, indexer, sink_names)

    rows = json.loads(_invoke(sink_names, "search", "الأسد", "--json"))
    assert [r["id"] for r in rows][:1] == ["a" * 16]
    assert any("<em>" in h for h in rows[0]["highlights"])

    only_okaz = json.loads(
        _invoke(sink_names, "search", "والمعارضة", "--outlet", "okaz", "--since", "24h", "--json")
    )
    assert [r["id"] for r in only_okaz] == ["c" * 16]
    assert json.loads(_invoke(sink_names, "search", "الأسد", "--place", "جدة", "--json")) == []

    text = _invoke(sink_names, "search", "الأسد", "--size", "1")
    assert text.startswith("1. [sabq] ")
    assert f"{FSI}الرئيس بشار الأسد" in text


async def test_stories_lists_the_biggest_live_stories(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    await _index(stack, indexer, sink_names)

    rows = json.loads(_invoke(sink_names, "stories", "--top", "5", "--since", "24h", "--json"))
    assert [r["id"] for r in rows] == ["big", "small"]  # the merged one is left out
    assert rows[0]["article_count"] == 12
    assert rows[0]["outlets"] == ["sabq"]

    found = json.loads(_invoke(sink_names, "search", "معارضة", "--stories", "--json"))
    assert [r["id"] for r in found] == ["big"]


async def test_the_main_job_suggests_a_search_that_finds_the_biggest_story(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    await _index(stack, indexer, sink_names)
    settings = stack.model_copy(
        update={"sinks": stack.sinks.model_copy(update={"index_prefix": sink_names.prefix})}
    )

    hint = search_hint(settings)

    assert hint == "khabar search 'المعارضة' --stories"  # the merged story, though bigger, is left out
    found = json.loads(_invoke(sink_names, *hint.replace("'", "").split()[1:], "--json"))
    assert [r["id"] for r in found][:1] == ["big"]


def test_a_bad_since_is_a_clear_error(sink_names: IndexNames) -> None:
    result = CliRunner().invoke(
        cli, ["search", "x", "--since", "3x"], env={"KHABAR_SINKS__INDEX_PREFIX": sink_names.prefix}
    )
    assert result.exit_code != 0
    assert "--since '3x'" in str(result.exception)


async def test_a_story_is_found_by_what_it_is_about_the_biggest_first(
    stack: Settings, indexer: Indexer, sink_names: IndexNames
) -> None:
    abha = Place(name="أبها", country_code="SA", lat=18.22, lon=42.51, feature="city")
    await indexer.index_stories(
        [
            # the day's big story: its headline names neither Abha nor a bombing by those words
            story(
                "event",
                9,
                headline="مجلس الأمن يدين الهجوم الإرهابي على مسجد قوات الطوارئ",
                article_count=175,
                top_keywords=["الطوارئ", "تفجير"],
                top_places=[abha],
                last_seen=NOW,
            ),
            story("column", 1, headline="لست أنت يا أبها", article_count=1, top_places=[], last_seen=NOW),
            story(
                "tent",
                1,
                headline="خيمة أبها تقيم دورات للأطفال",
                article_count=1,
                top_places=[abha],
                last_seen=NOW,
            ),
        ]
    )
    es = client(stack.elasticsearch)
    es.indices.refresh(index=sink_names.all_pattern)
    es.close()
    for query in ("تفجير أبها", "أبها"):
        found = [row["id"] for row in json.loads(_invoke(sink_names, "search", query, "--stories", "--json"))]
        assert found[0] == "event", (query, found)
        assert {"column", "tent"} <= set(found), (query, found)

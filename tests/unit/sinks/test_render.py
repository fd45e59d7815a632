"""Right-to-left-safe output: Arabic runs isolated, labels untouched, highlights styled, JSON clean."""

from __future__ import annotations

import json

from sinks.render import FSI, PDI, highlighted, hit_lines, hits_json, isolate
from sinks.search import MARK_END, MARK_START, Hit

HIT = Hit(
    "article",
    "a1",
    2.0,
    "المعارضة تتقدم",
    "2015-08-08",
    ["sabq", "عكاظ"],
    [f"قالت {MARK_START}المعارضة{MARK_END} إنها"],
)


def test_isolate_wraps_only_right_to_left_text() -> None:
    assert isolate("المعارضة") == f"{FSI}المعارضة{PDI}"
    assert isolate("sabq 2015") == "sabq 2015"
    assert isolate("שלום") == f"{FSI}שלום{PDI}"


def test_each_arabic_field_is_isolated_so_labels_keep_their_place() -> None:
    title, fragment = hit_lines([HIT])
    assert (
        title.plain == f"1. [sabq, {FSI}عكاظ{PDI}] {FSI}المعارضة تتقدم{PDI}  (2015-08-08, score 2.00, id a1)"
    )
    assert fragment.plain == f"    {FSI}قالت المعارضة إنها{PDI}"
    # isolates come in pairs: nothing leaks into the next line
    assert all(line.plain.count(FSI) == line.plain.count(PDI) for line in (title, fragment))


def test_without_bidi_no_control_characters_are_printed() -> None:
    lines = hit_lines([HIT], rtl_isolate=False)
    assert not any(FSI in line.plain or PDI in line.plain for line in lines)


def test_highlighted_words_are_styled_and_marks_removed() -> None:
    text = highlighted(f"قالت {MARK_START}المعارضة{MARK_END}", rtl_isolate=False)
    assert text.plain == "قالت المعارضة"
    [span] = text.spans
    assert text.plain[span.start : span.end] == "المعارضة"


def test_json_output_is_utf8_with_em_tags() -> None:
    [row] = json.loads(hits_json([HIT]))
    assert row["title"] == "المعارضة تتقدم"
    assert row["highlights"] == ["قالت <em>المعارضة</em> إنها"]
    assert "\\u" not in hits_json([HIT])


def test_a_listed_story_shows_its_summary_and_a_searched_one_its_highlights() -> None:
    listed = Hit(
        "story", "s1", None, "تفجير مسجد", "2015-08-08", ["okaz"], article_count=9, summary="قال المتحدث"
    )
    headline, summary = hit_lines([listed], rtl_isolate=False)
    assert "9 articles" in headline.plain
    assert summary.plain == "    قال المتحدث"
    searched = Hit(
        "story", "s1", 1.0, "تفجير مسجد", None, [], [f"{MARK_START}تفجير{MARK_END}"], summary="قال"
    )
    assert [line.plain for line in hit_lines([searched], rtl_isolate=False)][1:] == ["    تفجير"]
    assert json.loads(hits_json([listed]))[0]["summary"] == "قال المتحدث"

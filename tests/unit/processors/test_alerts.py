"""The alert rules and their stage, on real headlines and names of the 2015-08-08 news day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.schemas import Alert, DeadLetter, Entity, Place, StoryUpdate, decode, encode
from processors.alerts import AlertRules, Fired, WatchTerm
from processors.deadletters import Source
from processors.errors import AlertStateError
from processors.stages import AlertStage

T0 = datetime(2015, 8, 8, 3, tzinfo=UTC)
OUTLETS = ["alriyadh", "okaz", "alwatan", "aljazirah", "almadina", "aleqtisadiya", "sabq", "alyaum", "aawsat"]


def update(
    *,
    story: str = "s-abha",
    version: int = 1,
    outlets: int = 1,
    hours: float = 1.0,
    headline: str = "مجلس الأمن يدين التفجير الإرهابي في مسجد بأبها",
    status: str = "active",
    **fields: Any,
) -> StoryUpdate:
    event = {"active": "updated", "closed": "closed", "merged": "merged"}[status]
    return StoryUpdate(
        story_id=story,
        version=version,
        event=event,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        merged_into="s-other" if status == "merged" else None,
        headline=headline,
        first_seen=T0,
        last_seen=T0 + timedelta(hours=hours),
        article_count=outlets + 2,
        outlets=OUTLETS[:outlets],
        updated_at=T0 + timedelta(hours=hours),
        **fields,
    )


def rules(**kwargs: Any) -> AlertRules:
    return AlertRules(**{"growth_outlets": [5, 8], "growth_hours": 6.0} | kwargs)


# --------------------------------------------------------------------------------------------- growth


def test_growth_fires_once_per_level_as_the_story_spreads() -> None:
    r, fired, seen = rules(), Fired(), []
    for version, outlets in enumerate([1, 3, 5, 6, 8, 9], start=1):
        alerts, fired = r.evaluate(update(version=version, outlets=outlets, hours=version * 0.5), fired)
        seen += [(a.detail, a.story_version) for a in alerts]
    assert seen == [("5", 3), ("8", 5)]
    assert fired.markers == {"growth:5", "growth:8"}


def test_growth_counts_only_fast_spread() -> None:
    alerts, _ = rules().evaluate(update(outlets=9, hours=30.0), Fired())
    assert alerts == []  # nine outlets, but over thirty hours: a long-running story, not a fast one


def test_a_story_that_jumps_past_two_levels_fires_both() -> None:
    alerts, _ = rules().evaluate(update(outlets=9, hours=2.0), Fired())
    assert [a.detail for a in alerts] == ["5", "8"]
    assert alerts[0].reason == "reached 5 outlets within 2.0 h of its first article"


# ---------------------------------------------------------------------------------------------- watch


@pytest.mark.parametrize(
    ("term", "fields", "where"),
    [
        ("أبها", {}, "headline"),  # «بأبها»: a proclitic, and hamza forms folded
        ("مجلس الامن", {}, "headline"),  # alef forms folded, whole words in a row
        (
            "قوات الطوارئ الخاصة",
            {"top_entities": [Entity(name="قوات الطوارئ الخاصة", type="organisation")]},
            "organisation",
        ),
        ("سلمان", {"top_entities": [Entity(name="الملك سلمان بن عبدالعزيز", type="person")]}, "person"),
        ("عسير", {"top_places": [Place(name="عسير", lat=19.0, lon=42.5, feature="region")]}, "place"),
        ("الإرهاب", {"top_keywords": ["الإرهاب", "مسجد"]}, "keyword"),
        ("الأمم المتحدة", {"headline": "ترحيب للأمم المتحدة بالاتفاق"}, "headline"),  # ل + ال is لل
        ("مجلس الأمن", {"headline": "إدانة دولية", "summary": "دان أعضاء مجلس الأمن الدولي التفجير"}, "lead"),
        ("الأمم المتحدة", {"headline": "السعودية تقدم دعما وللأمم المتحدة دور"}, "headline"),  # و + لل
        ("أبها", {"headline": "أمطار غزيرة في جدة وبأبها"}, "headline"),  # و + ب
        ("الرياض", {"headline": "اجتماع في جدة وبالرياض"}, "headline"),  # و + ب + ال
        ("عون", {"headline": "وعون يصل الرياض"}, "headline"),  # a short term takes a conjunction
    ],
)
def test_watch_terms_match_whole_words_after_normalisation(
    term: str, fields: dict[str, Any], where: str
) -> None:
    alerts, fired = rules(watch=[term]).evaluate(update(**fields), Fired())
    assert [(a.rule, a.reason) for a in alerts] == [("watch", f"names «{term}» ({where})")]
    assert rules(watch=[term]).evaluate(update(**fields), fired)[0] == []  # once per story and term


@pytest.mark.parametrize(
    ("term", "headline"),
    [
        ("أبها", "أبهاء القصر"),  # a longer word is not the name
        ("مجلس الامن", "مجلس الوزراء يناقش الامن"),  # the words, but not in a row
        ("الاسد", "أسد الأطلس يفوز"),  # the article is part of the term
        ("أمل", "الحكومة تعلن حظر تجول كامل"),  # ك is not a proclitic here: «كامل» is a word
        ("عون", "افتتاح المشروع بعون الله"),  # a short term takes no preposition: "with the help"
    ],
)
def test_watch_terms_do_not_match_parts_of_words(term: str, headline: str) -> None:
    assert rules(watch=[term]).evaluate(update(headline=headline), Fired())[0] == []


def test_names_count_only_when_prominent_in_a_story_of_three_articles() -> None:
    places = [
        Place(name=name, lat=0.0, lon=0.0, feature="country")
        for name in ("اليمن", "المملكة العربية السعودية", "البحرين", "إيران")
    ]
    iran = rules(watch=["إيران"])
    assert iran.evaluate(update(top_places=places), Fired())[0] == []  # fourth most named: a mention
    assert iran.evaluate(update(top_places=places[2:]), Fired())[0] != []
    # A story of one article lists every place it mentions once: none of them counts.
    one = update(top_places=places[3:]).model_copy(update={"article_count": 1})
    assert iran.evaluate(one, Fired())[0] == []


def test_an_empty_watch_term_is_refused_with_its_text() -> None:
    with pytest.raises(AlertStateError, match="'؟'"):
        WatchTerm.of("؟")


# ----------------------------------------------------------------------------------------- the alerts


def test_alert_ids_are_stable_and_distinct() -> None:
    r = rules(watch=["أبها"])
    first, _ = r.evaluate(update(outlets=5), Fired())
    again, _ = r.evaluate(update(outlets=5, version=7), Fired())  # state lost: the same alerts again
    other, _ = r.evaluate(update(story="s-other", outlets=5), Fired())
    assert [a.alert_id for a in first] == [a.alert_id for a in again]
    assert len({a.alert_id for a in first + other}) == 4
    assert first[0].fired_at == T0 + timedelta(hours=1)  # the story's time, not the wall clock


def test_closed_and_merged_stories_fire_nothing() -> None:
    for status in ("closed", "merged"):
        assert rules(watch=["أبها"]).evaluate(update(outlets=9, status=status), Fired())[0] == []


def test_fired_state_rejects_foreign_bytes() -> None:
    with pytest.raises(AlertStateError, match="cannot be read"):
        Fired.from_bytes(b'{"format": 9}')


# ---------------------------------------------------------------------------------------------- stage


def _step(stage: AlertStage, record: StoryUpdate) -> tuple[list[Alert], dict[str, bytes | None]]:
    result = stage.process(encode(record), Source(topic="stories.updates", partition=0, offset=1))
    assert {output for output, _, _ in result.emits} <= {"alerts"}
    return [decode(value, Alert) for _, _, value in result.emits], result.writes


def test_stage_keeps_what_fired_and_forgets_closed_stories() -> None:
    stage = AlertStage(rules())
    alerts, writes = _step(stage, update(outlets=5))
    assert [a.detail for a in alerts] == ["5"]
    assert set(writes) == {"s-abha"}
    assert _step(stage, update(outlets=6, version=2)) == ([], {})  # nothing new: no write either
    restarted = AlertStage(rules())
    assert restarted.restore({"s-abha": writes["s-abha"] or b""}) == {}
    assert _step(restarted, update(outlets=6, version=2)) == ([], {})  # a restart does not fire again
    assert _step(restarted, update(outlets=6, version=3, status="closed")) == ([], {"s-abha": None})
    assert len(restarted) == 0


def test_stage_dead_letters_what_it_cannot_read_and_leaves_out_bad_state() -> None:
    stage = AlertStage(rules())
    result = stage.process(b'{"kind": "story_update"', Source(topic="stories.updates", partition=2, offset=9))
    [(output, _, value)] = result.emits
    letter = decode(value, DeadLetter)
    assert output == "deadletter"
    assert letter.stage == "alerts"
    assert letter.offset == 9
    assert set(stage.restore({"s-1": b"garbage"})) == {"s-1"}


def test_terms_that_normalise_alike_are_one_term_and_fire_once() -> None:
    alerts, _ = rules(watch=["أبها", "ابها"]).evaluate(update(headline="انفجار في أبها"), Fired())
    assert [a.reason for a in alerts] == ["names «أبها» (headline)"]

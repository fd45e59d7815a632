from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import SchemaError
from contracts.schemas import (
    RECORD_TYPES,
    Alert,
    ClusteredArticle,
    DeadLetter,
    Duplicate,
    EnrichedArticle,
    Entity,
    Place,
    RawArticle,
    Record,
    StoryUpdate,
    decode,
    decode_either,
    encode,
)

NOW = datetime(2015, 8, 8, 9, 30, tzinfo=UTC)


def raw(**changes: object) -> RawArticle:
    fields: dict[str, object] = {
        "id": "0123456789abcdef",
        "url": "https://www.spa.gov.sa/1370000",
        "canonical_url": "https://spa.gov.sa/1370000",
        "outlet": "spa",
        "title": "خادم الحرمين يستقبل ولي العهد",
        "published": NOW,
        "fetched_at": NOW,
    }
    fields.update(changes)
    return RawArticle.model_validate(fields)


def enriched() -> EnrichedArticle:
    return EnrichedArticle.model_validate(
        raw().model_dump()
        | {
            "kind": "enriched_article",
            "language": "ar",
            "word_count": 120,
            "reading_time_s": 40,
            "places": [Place(name="أبها", country_code="SA", lat=18.2, lon=42.5)],
        }
    )


def test_every_record_round_trips_through_json() -> None:
    story = StoryUpdate(
        story_id="s1",
        version=3,
        event="updated",
        status="active",
        headline="تفجير أبها",
        first_seen=NOW,
        last_seen=NOW,
        article_count=4,
        outlets=["spa", "sabq"],
        updated_at=NOW,
    )
    records = [
        raw(),
        enriched(),
        Duplicate(
            article_id="0123456789abcdef",
            duplicate_of="fedcba9876543210",
            outlet="sabq",
            original_outlet="spa",
            url="https://sabq.org/x",
            similarity=0.93,
            method="minhash",
            detected_at=NOW,
        ),
        ClusteredArticle(article=enriched(), story_id="s1", story_version=3),
        story,
        Alert(
            alert_id="a1",
            rule="growth",
            reason="4 outlets in 1 h",
            story_id="s1",
            story_version=3,
            headline="تفجير أبها",
            article_count=4,
            fired_at=NOW,
        ),
        DeadLetter(stage="parse", reason="not XML", error_type="ParseError", payload="<rss", failed_at=NOW),
    ]
    for record in records:
        data = encode(record)
        body = json.loads(data)
        assert body["kind"] == record.KIND
        assert body["schema_version"] == 1
        assert decode(data, type(record)) == record
    assert story.outlet_count == 2


def test_times_are_normalised_to_utc_and_must_be_aware() -> None:
    riyadh = timezone(timedelta(hours=3))
    article = raw(published=datetime(2015, 8, 8, 12, 30, tzinfo=riyadh))
    assert article.published == NOW
    assert article.published.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="timezone"):
        raw(published=datetime(2015, 8, 8, 12, 30))


def test_decode_errors_name_the_record_and_the_field() -> None:
    good = json.loads(encode(raw()))
    with pytest.raises(SchemaError, match=r"raw_article: .*not UTF-8"):
        decode(b"\xff\xfe{", RawArticle)
    with pytest.raises(SchemaError, match=r"raw_article: .*Invalid JSON"):
        decode(b"{not json", RawArticle)
    with pytest.raises(SchemaError, match="raw_article: title"):
        decode(json.dumps({k: v for k, v in good.items() if k != "title"}), RawArticle)
    with pytest.raises(SchemaError, match="raw_article: id"):
        decode(json.dumps(good | {"id": "NOT-HEX"}), RawArticle)
    with pytest.raises(SchemaError, match="raw_article: surprise"):
        decode(json.dumps(good | {"surprise": 1}), RawArticle)
    with pytest.raises(SchemaError, match="raw_article: kind"):
        decode(json.dumps(good | {"kind": "alert"}), RawArticle)


def test_unknown_schema_version_is_refused() -> None:
    body = json.loads(encode(raw())) | {"schema_version": 2}
    with pytest.raises(SchemaError, match=r"schema_version 2 .* upgrade khabar"):
        decode(json.dumps(body), RawArticle)


def copy_of_spa(**changes: object) -> Duplicate:
    fields: dict[str, object] = {
        "article_id": "0123456789abcdef",
        "duplicate_of": "fedcba9876543210",
        "outlet": "sabq",
        "original_outlet": "spa",
        "url": "https://sabq.org/x",
        "similarity": 0.93,
        "method": "minhash",
        "detected_at": NOW,
    }
    return Duplicate.model_validate(fields | changes)


def test_decode_either_picks_the_record_by_its_kind() -> None:
    copy = copy_of_spa(published=NOW - timedelta(minutes=5))
    article = enriched()
    assert decode_either(encode(copy), EnrichedArticle, Duplicate) == copy
    assert decode_either(encode(article), EnrichedArticle, Duplicate) == article
    assert decode_either(encode(article), EnrichedArticle) == article


def test_decode_either_names_the_kinds_it_reads_when_it_refuses() -> None:
    kinds = "enriched_article or duplicate"
    with pytest.raises(SchemaError, match=rf"{kinds}: .*does not match any of the expected tags"):
        decode_either(encode(raw()), EnrichedArticle, Duplicate)
    with pytest.raises(SchemaError, match=rf"{kinds}: .*Invalid JSON"):
        decode_either(b"{not json", EnrichedArticle, Duplicate)
    with pytest.raises(SchemaError, match=rf"{kinds}: duplicate.similarity"):
        decode_either(
            json.dumps(json.loads(encode(copy_of_spa())) | {"similarity": 2}), EnrichedArticle, Duplicate
        )
    body = json.loads(encode(copy_of_spa())) | {"schema_version": 2}
    with pytest.raises(SchemaError, match=r"schema_version 2 .* upgrade khabar"):
        decode_either(json.dumps(body), EnrichedArticle, Duplicate)


def test_a_duplicate_without_its_publish_time_still_reads() -> None:
    body = json.loads(encode(copy_of_spa()))
    assert body["published"] is None
    del body["published"]  # a record written before the field existed
    assert decode(json.dumps(body), Duplicate).published is None


def test_records_are_frozen() -> None:
    article = raw()
    with pytest.raises(ValueError, match="frozen"):
        article.title = "x"  # type: ignore[misc]


# encode() writes bytes with pydantic-core directly: they must stay those of model_dump_json(), every kind.
ARABIC = '«الرياض» \u200fتستضيف قمة\u200e مجلس التعاون: ١٢٣ مندوبًا، و"اتفاق" جديد\\ 😀\n\tنهاية'
ODD_TIME = datetime(2015, 8, 8, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=3)))


def every_kind() -> list[Record]:
    place = Place(name="جدة", country_code="SA", lat=21.5433, lon=39.1728, feature="city")
    person = Entity(name="عبدالله بن عبدالعزيز", type="person")
    organisation = Entity(name="مجلس التعاون الخليجي", type="organisation")
    article = raw(
        guid="urn:spa:1370000",
        feed_url="https://www.spa.gov.sa/rss.xml",
        title=ARABIC,
        summary=ARABIC[:40],
        content=f"{ARABIC}\n\n{ARABIC}",
        author="واس",
        language_hint="ar",
        published=ODD_TIME,
        published_status="future",
        fetched_at=NOW,
    )
    enriched_article = EnrichedArticle.model_validate(
        article.model_dump()
        | {
            "kind": "enriched_article",
            "language": "ar",
            "word_count": 321,
            "reading_time_s": 97,
            "keywords": ["قمة", "الرياض"],
            "places": [place],
            "entities": [person, organisation],
            "lead": ARABIC[:20],
            "also_published_by": ["sabq", "okaz"],
        }
    )
    return [
        article,
        raw(),
        enriched_article,
        Duplicate(
            article_id="0123456789abcdef",
            duplicate_of="fedcba9876543210",
            outlet="sabq",
            original_outlet="spa",
            url="https://sabq.org/مقال?id=1",
            similarity=1 / 3,
            method="text_hash",
            detected_at=ODD_TIME,
        ),
        ClusteredArticle(article=enriched_article, story_id="story-جدة-1", story_version=12),
        StoryUpdate(
            story_id="s1",
            version=2,
            event="merged",
            status="merged",
            merged_into="s0",
            headline=ARABIC,
            summary=ARABIC[:30],
            first_seen=NOW,
            last_seen=ODD_TIME,
            article_count=7,
            outlets=["spa", "sabq"],
            top_keywords=["قمة"],
            top_places=[place],
            top_entities=[organisation],
            updated_at=ODD_TIME,
        ),
        Alert(
            alert_id="a-1",
            rule="growth",
            reason="٤ منافذ خلال ساعة",
            story_id="s1",
            story_version=2,
            headline=ARABIC,
            outlets=["spa"],
            article_count=4,
            fired_at=ODD_TIME,
        ),
        DeadLetter(
            stage="parse",
            reason=f"[https://sabq.org/rss] {ARABIC}",
            error_type="WrongEncodingError",
            source_topic="articles.raw",
            partition=3,
            offset=123456789012,
            key="0123456789abcdef",
            payload="PHJzcz7H",
            payload_encoding="base64",
            failed_at=ODD_TIME,
        ),
    ]


def test_encode_gives_the_bytes_of_model_dump_json_for_every_record_kind() -> None:
    records = every_kind()
    assert {record.KIND for record in records} == set(RECORD_TYPES)
    for record in records:
        data = encode(record)
        assert isinstance(data, bytes)
        assert data == record.model_dump_json().encode("utf-8"), record.KIND
        assert decode(data, type(record)) == record


@given(
    title=st.text(min_size=1),
    content=st.text(),
    author=st.none() | st.text(),
    published=st.datetimes(timezones=st.timezones(), allow_imaginary=False),
)
def test_encode_matches_model_dump_json_on_any_text_and_time(
    title: str, content: str, author: str | None, published: datetime
) -> None:
    article = raw(title=title, content=content, author=author, published=published)
    assert encode(article) == article.model_dump_json().encode("utf-8")

"""Dead letters back into their original messages: the letters of every stage, as the stages write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.schemas import DEADLETTER_PAYLOAD_CHARS, DeadLetter, dead_letter_payload, decode, encode
from infra.deadletters import Filter, NotReplayableError, original, select, summarise
from processors.deadletters import Source
from processors.deadletters import dead_letter as processor_letter
from sinks.deadletters import Origin
from sinks.deadletters import dead_letter as sink_letter

T0 = datetime(2015, 8, 8, 9, tzinfo=UTC)
ARTICLE = '{"kind": "raw_article", "title": "أمطار غزيرة على أبها"}'.encode()


def _through_kafka(letter: DeadLetter) -> DeadLetter:
    """The letter as a reader of the dead-letter topic gets it."""
    return decode(encode(letter), DeadLetter)


def test_a_processor_letter_gives_back_the_exact_bytes_key_and_topic() -> None:
    letter = processor_letter(
        "dedupe", ValueError("missing field 'title'"), ARTICLE, Source("articles.raw", 3, 17, "a1"), now=T0
    )
    message = original(_through_kafka(letter))
    assert (message.topic, message.key, message.value) == ("articles.raw", b"a1", ARTICLE)


def test_a_sink_letter_of_bytes_that_are_not_utf8_gives_back_the_bytes() -> None:
    payload = b"\xff\xfe" + ARTICLE
    origin = Origin(topic="articles.clustered", partition=0, offset=5, key=b"a2", payload=payload)
    letter = sink_letter(origin, reason="not JSON", error_type="SchemaError", now=T0)
    assert letter.payload_encoding == "base64"
    assert original(_through_kafka(letter)).value == payload


def test_a_letter_without_source_topic_or_with_a_clipped_payload_is_not_replayable() -> None:
    feed = DeadLetter(stage="feeds", reason="not a feed", error_type="ParseError", failed_at=T0)
    with pytest.raises(NotReplayableError, match="no source topic"):
        original(feed)
    text, encoding, note = dead_letter_payload("ا" * (DEADLETTER_PAYLOAD_CHARS + 1))
    clipped = DeadLetter(
        stage="publish",
        reason="MessageSizeTooLargeError" + note,
        error_type="MessageSizeTooLargeError",
        source_topic="articles.raw",
        payload=text,
        payload_encoding=encoding,
        failed_at=T0,
    )
    with pytest.raises(NotReplayableError, match="clipped payload"):
        original(clipped)


def test_a_letter_from_the_deadletter_topic_itself_is_refused() -> None:
    letter = DeadLetter(stage="x", reason="r", error_type="E", source_topic="deadletter", failed_at=T0)
    with pytest.raises(NotReplayableError, match="dead-letter topic 'deadletter' itself"):
        original(letter, deadletter_topic="deadletter")
    broken = DeadLetter(
        stage="x", reason="r", error_type="E", source_topic="alerts", payload="%%", payload_encoding="base64",
        failed_at=T0,
    )  # fmt: skip
    with pytest.raises(NotReplayableError, match="does not decode"):
        original(broken)


def _letters() -> list[DeadLetter]:
    def letter(stage: str, error: str, minutes: int, reason: str = "boom") -> DeadLetter:
        return DeadLetter(
            stage=stage,
            reason=reason,
            error_type=error,
            source_topic=f"{stage}.in",
            failed_at=T0 + timedelta(minutes=minutes),
        )

    return [
        letter("sinks", "mapper_parsing_exception", 5, "failed to parse field [published]"),
        letter("dedupe", "SchemaError", 1, "Missing field 'title'"),
        letter("sinks", "mapper_parsing_exception", 9, "failed to parse field [places]"),
        letter("sinks", "WebhookError", 7, "the webhook refused the alert (HTTP 401)"),
    ]


def test_select_filters_by_every_given_field_oldest_first() -> None:
    letters = _letters()
    assert [d.failed_at.minute for d in select(letters, Filter())] == [1, 5, 7, 9]
    assert [d.failed_at.minute for d in select(letters, Filter(stage="sinks", contains="PARSE"))] == [5, 9]
    assert [d.error_type for d in select(letters, Filter(source_topic="dedupe.in"))] == ["SchemaError"]
    # since is strict: the newest time of one replay, passed back, leaves that replay out
    assert [d.failed_at.minute for d in select(letters, Filter(since=T0 + timedelta(minutes=7)))] == [9]


def test_summary_counts_by_stage_error_and_topic_with_the_latest_reason() -> None:
    groups = summarise(_letters())
    assert [(g.stage, g.error_type, g.count) for g in groups] == [
        ("sinks", "mapper_parsing_exception", 2),
        ("dedupe", "SchemaError", 1),
        ("sinks", "WebhookError", 1),
    ]
    assert groups[0].reason == "failed to parse field [places]"
    assert groups[0].latest == T0 + timedelta(minutes=9)

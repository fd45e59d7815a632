"""The sinks' dead letters: where a record came from, why, and its bytes (clipped to fit Kafka)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from contracts.schemas import DEADLETTER_PAYLOAD_CHARS, encode
from sinks.deadletters import Origin, dead_letter

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 8, tzinfo=UTC)


def test_a_record_is_kept_whole_with_where_it_came_from() -> None:
    origin = Origin(topic="articles.clustered", partition=1, offset=7, key=b"a1", payload=b'{"id": 1}')
    letter = dead_letter(origin, reason="mapper_parsing_exception", error_type="400", now=NOW)
    assert (letter.source_topic, letter.partition, letter.offset, letter.key) == (
        "articles.clustered",
        1,
        7,
        "a1",
    )
    assert (letter.payload, letter.payload_encoding, letter.reason) == (
        '{"id": 1}',
        "utf-8",
        "mapper_parsing_exception",
    )


def test_a_record_near_the_message_limit_is_clipped_and_says_so() -> None:
    origin = Origin(topic="articles.clustered", partition=0, offset=3, key=None, payload=b"\xfe" * 1_000_000)
    letter = dead_letter(origin, reason="document too large", error_type="413", now=NOW)
    assert letter.payload_encoding == "base64"
    assert len(letter.payload) <= DEADLETTER_PAYLOAD_CHARS
    assert base64.b64decode(letter.payload) == b"\xfe" * (DEADLETTER_PAYLOAD_CHARS // 4 * 3)
    assert (
        letter.reason
        == f"document too large (payload clipped to {DEADLETTER_PAYLOAD_CHARS // 4 * 3} of 1000000 bytes)"
    )
    assert len(encode(letter)) < 1_048_576

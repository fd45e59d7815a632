"""Dead letters keep the reason, where the message came from, and the original bytes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from contracts.schemas import DeadLetter, decode, encode
from processors.deadletters import Source, dead_letter

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_text_payload_is_kept_as_text() -> None:
    error = ValueError("raw_article: id: missing")
    letter = dead_letter("intake", error, b'{"x": 1}', Source("raw", 2, 9, "k"))
    assert (letter.stage, letter.error_type, letter.reason) == ("intake", "ValueError", str(error))
    assert (letter.source_topic, letter.partition, letter.offset, letter.key) == ("raw", 2, 9, "k")
    assert letter.payload == '{"x": 1}'
    assert letter.payload_encoding == "utf-8"
    assert decode(encode(letter), DeadLetter) == letter


def test_binary_payload_is_base64_and_round_trips() -> None:
    payload = b"\xff\xfe\x00garbage"
    letter = dead_letter("dedupe", KeyError(), payload, Source(), now=NOW)
    assert letter.payload_encoding == "base64"
    assert base64.b64decode(letter.payload) == payload
    assert letter.reason == "KeyError"  # an exception without a message still gets a reason
    assert letter.failed_at == NOW


def test_tombstone_and_long_reason() -> None:
    letter = dead_letter("cluster", RuntimeError("x" * 5000), None, Source(topic="t"), now=NOW)
    assert letter.payload == ""
    assert len(letter.reason) == 2000


def test_a_payload_near_the_message_limit_is_clipped_so_the_letter_fits_kafka() -> None:
    for payload, encoding in ((b"\xff" * 1_000_000, "base64"), ("ب".encode() * 500_000, "utf-8")):
        letter = dead_letter("intake", ValueError("too big"), payload, Source("raw", 0, 3, "k"), now=NOW)
        assert letter.payload_encoding == encoding
        assert len(encode(letter)) < 500_000
        assert letter.reason.startswith("too big (payload clipped to ")
        assert letter.offset == 3  # the whole original stays at its source offset

"""Dead letters of the sinks: what failed, why, and the original bytes (pure: no client).

>>> from datetime import UTC, datetime
>>> origin = Origin(topic="articles.clustered", partition=0, offset=7, key=b"a1", payload=b"{oops")
>>> now = datetime(2015, 8, 8, tzinfo=UTC)
>>> letter = dead_letter(origin, reason="not JSON", error_type="SchemaError", now=now)
>>> letter.stage, letter.payload, letter.offset
('sinks', '{oops', 7)
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from contracts.schemas import DeadLetter, dead_letter_payload

STAGE = "sinks"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: its topic, partition, offset, key and raw value."""

    topic: str
    partition: int | None
    offset: int | None
    key: bytes | None
    payload: bytes


def _text(data: bytes) -> tuple[str, Literal["utf-8", "base64"]]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def dead_letter(origin: Origin, *, reason: str, error_type: str, now: datetime) -> DeadLetter:
    """A :class:`DeadLetter` for ``origin``; a payload that is not UTF-8 travels as base64, and either is
    clipped to the contract's ``DEADLETTER_PAYLOAD_CHARS`` (said in the reason).

    >>> from datetime import UTC, datetime
    >>> o = Origin(topic="t", partition=None, offset=None, key=None, payload=b"\\xff")
    >>> dead_letter(o, reason="r", error_type="E", now=datetime(2015, 8, 8, tzinfo=UTC)).payload_encoding
    'base64'
    """
    payload, encoding, clipped = dead_letter_payload(origin.payload)  # a letter must fit a Kafka message
    key = _text(origin.key)[0] if origin.key is not None else None
    return DeadLetter(
        stage=STAGE,
        reason=reason + clipped,
        error_type=error_type,
        source_topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        key=key,
        payload=payload,
        payload_encoding=encoding,
        failed_at=now,
    )

"""Dead letters: what a stage could not process, with the reason and the original bytes. Pure.

Every message a stage reads ends in exactly one place: an output topic or the dead-letter topic. A dead letter
keeps the original payload (as UTF-8 text when it is text, else base64; clipped to the contract's
``DEADLETTER_PAYLOAD_CHARS``, said in the reason, so that the letter fits a Kafka message) and where it came
from (topic, partition, offset, key), so an operator can fix the cause and replay it.

>>> from datetime import UTC, datetime
>>> letter = dead_letter("dedupe", ValueError("bad"), b"{", Source("articles.raw", 0, 7, "k"),
...                      now=datetime(2026, 1, 1, tzinfo=UTC))
>>> letter.reason, letter.payload, letter.offset
('bad', '{', 7)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contracts.schemas import DeadLetter, dead_letter_payload

__all__ = ["Source", "dead_letter"]

_MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Source:
    """Where a message came from."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: str | None = None


def dead_letter(
    stage: str, error: BaseException, payload: bytes | None, source: Source, *, now: datetime | None = None
) -> DeadLetter:
    """A :class:`DeadLetter` for ``payload`` that failed in ``stage`` with ``error``."""
    text, encoding, clipped = dead_letter_payload(payload or b"")
    return DeadLetter(
        stage=stage,
        reason=(str(error) or type(error).__name__)[:_MAX_REASON] + clipped,
        error_type=type(error).__name__,
        source_topic=source.topic,
        partition=source.partition,
        offset=source.offset,
        key=source.key,
        payload=text,
        payload_encoding=encoding,
        failed_at=now or datetime.now(UTC),
    )

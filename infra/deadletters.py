"""Dead letters as an operator reads and replays them: choose, count, and turn back into the original message
(pure: no client; ``infra/records.py`` reads and publishes).

Every stage writes what it could not handle to the dead-letter topic with the reason, where it came from
(topic, partition, offset, key) and the original bytes. Once the cause is fixed (a mapping, a receiver, a
bug), :func:`original` gives back the exact message to publish to its source topic again. Replaying is safe
to repeat: the processors remember article ids, the sinks write idempotently, and webhook receivers drop
repeated ``Idempotency-Key``\\ s. What cannot be given back whole is refused with the reason: a letter with no
source topic (a feed that did not parse: poll it again), a payload clipped to the dead-letter limit, a
letter from the dead-letter topic itself.

>>> from datetime import UTC, datetime
>>> letter = DeadLetter(stage="sinks", reason="elasticsearch 400 mapper_parsing_exception: …",
...                     error_type="mapper_parsing_exception", source_topic="articles.clustered", partition=2,
...                     offset=41, key="a1", payload='{"kind": "clustered_article"}',
...                     failed_at=datetime(2015, 8, 8, 9, tzinfo=UTC))
>>> original(letter)
Message(topic='articles.clustered', key=b'a1', value=b'{"kind": "clustered_article"}')
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.schemas import DeadLetter
from infra.errors import InfraError

__all__ = ["Filter", "Group", "Message", "NotReplayableError", "original", "select", "summarise"]

_CLIPPED = "(payload clipped to "


class NotReplayableError(InfraError):
    """A dead letter that cannot be given back as its original message; the message says why."""


@dataclass(frozen=True, slots=True)
class Message:
    """A message to publish: topic, key and value bytes."""

    topic: str
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """Which dead letters: every field given must match (``contains``: in the reason, case-insensitive;
    ``since``: failed strictly after it, so the newest time of a replay leaves that replay out next time)."""

    stage: str | None = None
    error_type: str | None = None
    source_topic: str | None = None
    contains: str | None = None
    since: datetime | None = None

    def matches(self, letter: DeadLetter) -> bool:
        """Whether ``letter`` passes every given condition.

        >>> from datetime import UTC, datetime
        >>> d = DeadLetter(stage="dedupe", reason="Missing field 'title'", error_type="SchemaError",
        ...                failed_at=datetime(2026, 1, 1, tzinfo=UTC))
        >>> Filter(stage="dedupe", contains="TITLE").matches(d), Filter(stage="enrich").matches(d)
        (True, False)
        """
        return (
            self.stage in (None, letter.stage)
            and self.error_type in (None, letter.error_type)
            and self.source_topic in (None, letter.source_topic)
            and (self.contains is None or self.contains.casefold() in letter.reason.casefold())
            and (self.since is None or letter.failed_at > self.since)
        )


def select(letters: Iterable[DeadLetter], where: Filter) -> list[DeadLetter]:
    """The letters that match ``where``, oldest first (by ``failed_at``, ties in topic order)."""
    return sorted((letter for letter in letters if where.matches(letter)), key=lambda d: d.failed_at)


@dataclass(frozen=True, slots=True)
class Group:
    """Dead letters of one stage, error type and source topic: how many, the latest time and reason."""

    stage: str
    error_type: str
    source_topic: str | None
    count: int
    latest: datetime
    reason: str


def summarise(letters: Sequence[DeadLetter]) -> list[Group]:
    """One :class:`Group` per (stage, error type, source topic), the largest first.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> d = [DeadLetter(stage="sinks", reason=r, error_type="E", source_topic="x", failed_at=t) for r in "ab"]
    >>> [(g.stage, g.count, g.reason) for g in summarise(d)]
    [('sinks', 2, 'b')]
    """
    counts: Counter[tuple[str, str, str | None]] = Counter()
    last: dict[tuple[str, str, str | None], DeadLetter] = {}
    for letter in letters:
        key = (letter.stage, letter.error_type, letter.source_topic)
        counts[key] += 1
        if key not in last or letter.failed_at >= last[key].failed_at:
            last[key] = letter
    return [
        Group(*key, count=count, latest=last[key].failed_at, reason=last[key].reason)
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    ]


def original(letter: DeadLetter, *, deadletter_topic: str | None = None) -> Message:
    """The message that failed, as it was: its source topic, its key, its exact bytes.

    Raises :class:`NotReplayableError` when that cannot be given back whole.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> original(DeadLetter(stage="sinks", reason="r", error_type="E", source_topic="alerts",
    ...                     payload="/w==", payload_encoding="base64", failed_at=t)).value
    b'\\xff'
    >>> original(DeadLetter(stage="feeds", reason="not a feed", error_type="ParseError", failed_at=t))
    Traceback (most recent call last):
    ...
    infra.deadletters.NotReplayableError: dead letter of stage 'feeds' (ParseError) has no source topic: \
it came from outside Kafka (a feed: poll it again)
    """
    what = f"dead letter of stage {letter.stage!r} ({letter.error_type})"
    if not letter.source_topic:
        raise NotReplayableError(
            f"{what} has no source topic: it came from outside Kafka (a feed: poll it again)"
        )
    if deadletter_topic is not None and letter.source_topic == deadletter_topic:
        raise NotReplayableError(f"{what} came from the dead-letter topic {deadletter_topic!r} itself")
    if _CLIPPED in letter.reason:
        raise NotReplayableError(
            f"{what} holds a clipped payload, not the whole message: {letter.reason[-80:]}"
        )
    if letter.payload_encoding == "base64":
        try:
            value = base64.b64decode(letter.payload, validate=True)
        except (binascii.Error, ValueError):
            raise NotReplayableError(f"{what}: its base64 payload does not decode") from None
    else:
        value = letter.payload.encode("utf-8")
    key = letter.key.encode("utf-8") if letter.key is not None else None
    return Message(letter.source_topic, key, value)

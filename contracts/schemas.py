"""Versioned record schemas: what travels on each topic, as JSON.

Every record carries ``kind`` and ``schema_version``. A reader accepts the versions it knows and refuses the
rest with a :class:`SchemaError` that names the record, so a broken message can go to the dead-letter topic
with a reason instead of stopping the pipeline. Times are timezone-aware UTC.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from functools import cache, reduce
from operator import or_
from typing import Annotated, Any, ClassVar, Final, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from contracts.errors import SchemaError


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a timezone (UTC)")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
ArticleId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[0-9a-f]+$")]
#: A story opened by an article is ``s-<article id>``: two characters longer than the longest article id.
StoryId = Annotated[str, Field(min_length=1, max_length=66)]


class Record(BaseModel):
    """Base of every record: frozen, strict about unknown fields, versioned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    KIND: ClassVar[str]
    VERSION: ClassVar[int] = 1
    # The versions this code can read; older ones are upgraded in ``_upgrade`` when a schema changes.
    READABLE_VERSIONS: ClassVar[frozenset[int]] = frozenset({1})

    schema_version: int = 1


class RawArticle(Record):
    """One feed entry, normalised by a producer. Key: ``id``."""

    KIND: ClassVar[str] = "raw_article"
    kind: Literal["raw_article"] = "raw_article"

    id: ArticleId
    url: str
    canonical_url: str
    guid: str | None = None
    outlet: str
    feed_url: str | None = None
    title: str
    summary: str = ""
    content: str = ""
    author: str | None = None
    language_hint: str | None = None
    published: UtcDatetime
    # How ``published`` was obtained: from the feed, or fetched_at because it was missing/unparsable/future.
    published_status: Literal["ok", "missing", "unparsable", "future"] = "ok"
    fetched_at: UtcDatetime


class Place(BaseModel):
    """A place mentioned by an article, resolved against the gazetteer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    country_code: str | None = None
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    feature: Literal["country", "region", "city"] = "city"


class Entity(BaseModel):
    """A person or organisation mentioned by an article."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: Literal["person", "organisation"]


class EnrichedArticle(RawArticle):
    """A unique article with its text analysis. Key: ``id``."""

    KIND: ClassVar[str] = "enriched_article"
    kind: Literal["enriched_article"] = "enriched_article"  # type: ignore[assignment]

    language: str
    word_count: int = Field(ge=0)
    reading_time_s: int = Field(ge=0)
    keywords: list[str] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    lead: str = ""
    also_published_by: list[str] = Field(default_factory=list)


class Duplicate(Record):
    """``article_id`` duplicates ``duplicate_of`` (the original). Key: ``article_id``."""

    KIND: ClassVar[str] = "duplicate"
    kind: Literal["duplicate"] = "duplicate"

    article_id: ArticleId
    duplicate_of: ArticleId
    outlet: str
    original_outlet: str
    url: str
    similarity: float = Field(ge=0, le=1)
    method: Literal["id", "url", "text_hash", "minhash"]
    detected_at: UtcDatetime
    #: The copy's own publish time and headline (its story is seen then, and its outlets' headlines name the
    #: event too); None and "" in records written before they were added.
    published: UtcDatetime | None = None
    title: str = ""
    #: The copy's lead (its text is its original's): the story's summary when the copy's headline becomes
    #: the story's; "" in records written before it was added.
    lead: str = ""


class ClusteredArticle(Record):
    """An enriched article with the story it belongs to. Key: the article id."""

    KIND: ClassVar[str] = "clustered_article"
    kind: Literal["clustered_article"] = "clustered_article"

    article: EnrichedArticle
    story_id: StoryId
    story_version: int = Field(ge=1)


class StoryUpdate(Record):
    """A story snapshot; versions grow by one per change, a merge points to the survivor. Key: story_id."""

    KIND: ClassVar[str] = "story_update"
    kind: Literal["story_update"] = "story_update"

    story_id: StoryId
    version: int = Field(ge=1)
    event: Literal["created", "updated", "merged", "closed"]
    status: Literal["active", "closed", "merged"]
    merged_into: StoryId | None = None
    headline: str
    summary: str = ""
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    article_count: int = Field(ge=0)
    outlets: list[str] = Field(default_factory=list)
    top_keywords: list[str] = Field(default_factory=list)
    top_places: list[Place] = Field(default_factory=list)
    top_entities: list[Entity] = Field(default_factory=list)
    updated_at: UtcDatetime

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)


class Alert(Record):
    """A story that matters, by a named rule. Key: ``story_id``."""

    KIND: ClassVar[str] = "alert"
    kind: Literal["alert"] = "alert"

    alert_id: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    #: What fired, in the rule's terms: the outlet count of ``growth``, the normalised term of ``watch``.
    detail: str = ""
    reason: str
    story_id: StoryId
    story_version: int = Field(ge=1)
    headline: str
    summary: str = ""
    outlets: list[str] = Field(default_factory=list)
    article_count: int = Field(ge=0)
    fired_at: UtcDatetime


class DeadLetter(Record):
    """Something that failed, with why and the original bytes. Key: the original key."""

    KIND: ClassVar[str] = "dead_letter"
    kind: Literal["dead_letter"] = "dead_letter"

    stage: str
    reason: str
    error_type: str
    source_topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    # The original payload, as text when it decodes as UTF-8, else base64 with ``payload_encoding`` set.
    payload: str = ""
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    failed_at: UtcDatetime


#: A dead letter carries at most this much of the original (characters of text, or of base64), and at most
#: :data:`DEADLETTER_PAYLOAD_BYTES` of it once written as JSON (a control character takes 6 bytes there): a
#: letter must fit a Kafka message however big the original was; the original stays at its source offset.
DEADLETTER_PAYLOAD_CHARS: Final = 200_000
DEADLETTER_PAYLOAD_BYTES: Final = 600_000
PayloadEncoding = Literal["utf-8", "base64"]


def dead_letter_payload(payload: bytes | str) -> tuple[str, PayloadEncoding, str]:
    """The payload as UTF-8 text (else base64), clipped to the limits above, and a note for the reason when
    clipped.

    >>> dead_letter_payload(b"\\xff\\xfe")
    ('//4=', 'base64', '')
    >>> dead_letter_payload("ب" * 200_001)[2]
    ' (payload clipped to 200000 of 200001 chars)'
    >>> dead_letter_payload("\\0" * 200_000)[2]  # 6 bytes each in JSON
    ' (payload clipped to 99998 of 200000 chars)'
    """
    if isinstance(payload, str):
        text = payload
    else:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            head = payload[: DEADLETTER_PAYLOAD_CHARS // 4 * 3]
            clipped = len(head) < len(payload)
            note = f" (payload clipped to {len(head)} of {len(payload)} bytes)" if clipped else ""
            return base64.b64encode(head).decode("ascii"), "base64", note
    kept = text[:DEADLETTER_PAYLOAD_CHARS]
    size = _json_bytes(kept)
    while size > DEADLETTER_PAYLOAD_BYTES:  # escapes: shrink in proportion, then measure again
        kept = kept[: len(kept) * DEADLETTER_PAYLOAD_BYTES // size - 1]
        size = _json_bytes(kept)
    if len(kept) == len(text):
        return text, "utf-8", ""
    return kept, "utf-8", f" (payload clipped to {len(kept)} of {len(text)} chars)"


def _json_bytes(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


R = TypeVar("R", bound=Record)

RECORD_TYPES: dict[str, type[Record]] = {
    cls.KIND: cls
    for cls in (RawArticle, EnrichedArticle, Duplicate, ClusteredArticle, StoryUpdate, Alert, DeadLetter)
}


def encode(record: Record) -> bytes:
    """The record as UTF-8 JSON bytes, ``kind`` and ``schema_version`` included."""
    # The bytes of model_dump_json(), written by pydantic-core directly: no str built and encoded again.
    return type(record).__pydantic_serializer__.to_json(record)


def decode(data: bytes | str, expected: type[R]) -> R:
    """Parse JSON into ``expected``; raise :class:`SchemaError` naming the record and what is wrong."""
    return _checked(_parse(data, expected, expected.KIND), expected.KIND)  # type: ignore[return-value]


def decode_either(data: bytes | str, *expected: type[Record]) -> Record:
    """Parse JSON into whichever of the ``expected`` records its ``kind`` names (a topic that carries
    several kinds); raise :class:`SchemaError` naming the kinds and what is wrong.

    >>> text = '{"kind": "duplicate", "article_id": "bbbbbbbbbbbbbbbb", "duplicate_of": "aaaaaaaaaaaaaaaa", '
    >>> text += '"outlet": "okaz", "original_outlet": "spa", "url": "https://okaz.com.sa/1", '
    >>> text += '"similarity": 1, "method": "url", "detected_at": "2015-08-08T10:00:00Z"}'
    >>> type(decode_either(text, EnrichedArticle, Duplicate)).__name__
    'Duplicate'
    """
    name = " or ".join(cls.KIND for cls in expected)
    return _checked(_parse(data, _union(expected), name), name)


@cache
def _union(kinds: tuple[type[Record], ...]) -> TypeAdapter[Any]:
    """A parser that picks the record class by the ``kind`` field."""
    if len(kinds) == 1:
        return TypeAdapter(kinds[0])
    union: Any = Annotated[reduce(or_, kinds), Field(discriminator="kind")]
    return TypeAdapter(union)


def _parse(data: bytes | str, parser: type[Record] | TypeAdapter[Any], name: str) -> Record:
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{name}: payload is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        if isinstance(parser, TypeAdapter):
            record: Record = parser.validate_json(text)
        else:
            record = parser.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(record)"
        raise SchemaError(
            f"{name}: {where}: {first['msg']} ({exc.error_count()} problem(s)) in {text[:120]!r}"
        ) from None
    return record


def _checked(record: Record, name: str) -> Record:
    if record.schema_version not in record.READABLE_VERSIONS:
        raise SchemaError(
            f"{name}: schema_version {record.schema_version} is not readable by this khabar "
            f"(reads {sorted(record.READABLE_VERSIONS)}); upgrade khabar"
        )
    return record

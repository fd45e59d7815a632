"""The Faust agents of :mod:`processors.app`, offline: ``agent.test_context()``, the memory store, no Kafka.

A message goes in through the test agent's channel (``put`` waits until the agent has handled it). What the
agent sends is captured where Faust hands a serialised message to the producer (``Topic.publish_message``),
so the tests see the topic, key and bytes a worker would produce, and no producer is ever started. The stage
logic is tested in test_stages.py; here: which topic and key each agent sends to, the dead letters' source and
bytes, the table writes, that a poison message does not stop an agent, and the chain of all the agents.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import faust
import pytest
from faust.types import TP, RecordMetadata
from faust.types.tuples import FutureMessage
from pydantic import SecretStr

from contracts.schemas import (
    Alert,
    ClusteredArticle,
    DeadLetter,
    Duplicate,
    EnrichedArticle,
    RawArticle,
    Record,
    StoryUpdate,
    decode,
    encode,
)
from contracts.settings import AlertSettings, KafkaSettings, Settings, TopicSettings
from contracts.topics import Topic, topic_name
from processors.app import build_app
from processors.errors import AlertStateError
from tests.unit.processors.test_enrich import sample
from tests.unit.processors.test_stages import WIRE, raw

pytestmark = pytest.mark.unit

R = TypeVar("R", bound=Record)

# The same two reports of one story (2015, Syria) from two outlets: related, not duplicates.
A_ID, B_ID, COPY_ID = "a" * 16, "b" * 16, "c" * 16


def article_a() -> RawArticle:
    return sample("a", A_ID)


def article_b() -> RawArticle:
    return sample("b", B_ID)


def wire_copy() -> RawArticle:
    """Outlet a's article republished word for word by another outlet, under its own id and URL."""
    url = "https://wire.example/9"
    return article_a().model_copy(update={"id": COPY_ID, "outlet": "wire", "url": url, "canonical_url": url})


@dataclass(frozen=True, slots=True)
class Sent:
    """One message as the producer would have received it."""

    topic: str
    key: bytes | None
    value: bytes | None

    def record(self, kind: type[R]) -> R:
        assert self.value is not None
        return decode(self.value, kind)


@dataclass(slots=True)
class Outbox:
    """Everything the agents sent, in order."""

    sent: list[Sent] = field(default_factory=list)

    def take(self) -> list[Sent]:
        taken, self.sent = self.sent, []
        return taken


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Outbox:
    """Capture every topic send at the hand-over to the producer (after the topic's schema serialised it)."""
    box = Outbox()

    async def publish_message(topic: faust.Topic, fut: FutureMessage, wait: bool = False) -> FutureMessage:
        name = topic.get_topic_name()
        message = fut.message
        box.sent.append(Sent(name, message.key, message.value))
        partition = message.partition or 0
        metadata = RecordMetadata(
            topic=name, partition=partition, topic_partition=TP(name, partition), offset=len(box.sent) - 1
        )
        return await topic._finalize_message(fut, metadata)

    monkeypatch.setattr(faust.Topic, "publish_message", publish_message)
    return box


@dataclass(frozen=True, slots=True)
class Harness:
    app: faust.App
    app_id: str
    topics: TopicSettings
    outbox: Outbox

    def name(self, topic: Topic) -> str:
        return topic_name(topic, self.topics)

    def internal(self, suffix: str) -> str:
        return f"{self.app_id}-{suffix}"

    def table(self, name: str) -> Any:
        return self.app.tables[name]

    async def through(self, agent: str, messages: Sequence[tuple[bytes | None, bytes | None]]) -> list[Sent]:
        """Put ``(key, value)`` messages through one agent; what it sent, in order."""
        self.outbox.take()
        async with self.app.agents[agent].test_context() as test_agent:
            for key, value in messages:
                await test_agent.put(key=key, value=value)
        return self.outbox.take()


@pytest.fixture
async def harness(tmp_path: Path, outbox: Outbox) -> Harness:
    topics = TopicSettings(prefix="test.", partitions=2)
    # Nothing listens on port 1: a send that escaped the capture fails at once instead of reaching a broker.
    settings = Settings(
        data_dir=tmp_path,
        kafka=KafkaSettings(bootstrap_servers=["127.0.0.1:1"]),
        topics=topics,
        alerts=AlertSettings(growth_outlets=[3]),
    )
    app_id = f"test-agents-{uuid.uuid4().hex[:12]}"
    app = build_app(settings, app_id=app_id, store="memory://", datadir=tmp_path / "faust")
    return Harness(app=app, app_id=app_id, topics=topics, outbox=outbox)


def message(article: RawArticle) -> tuple[bytes, bytes]:
    return article.id.encode(), encode(article)


# ------------------------------------------------------------------------------------------------- intake


async def test_intake_forwards_a_valid_article_to_the_dedupe_partition(harness: Harness) -> None:
    key, value = message(article_a())
    sent = await harness.through("intake", [(key, value)])
    assert sent == [Sent(harness.internal("dedupe"), A_ID.encode(), value)]  # byte for byte


def _version_99() -> bytes:
    """A whole, valid article but for its schema version."""
    whole = json.loads(encode(raw(9, WIRE)))
    return json.dumps({**whole, "schema_version": 99}).encode()


@pytest.mark.parametrize(
    ("poison", "reason"),
    [
        (b"{not json", "Invalid JSON"),
        (_version_99(), "schema_version 99"),
        (b'{"kind": "raw_article", "schema_version": 1, "id": "abcdef0123456789"}', "Field required"),
        (None, "tombstone"),
    ],
    ids=["bad-json", "unknown-version", "missing-fields", "tombstone"],
)
async def test_intake_dead_letters_poison_and_goes_on(
    harness: Harness, poison: bytes | None, reason: str
) -> None:
    key, value = message(article_b())
    sent = await harness.through("intake", [(b"poison-key", poison), (key, value)])
    assert [(s.topic, s.key) for s in sent] == [
        (harness.name(Topic.DEADLETTER), b"poison-key"),
        (harness.internal("dedupe"), B_ID.encode()),
    ]
    letter = sent[0].record(DeadLetter)
    assert (letter.stage, letter.error_type) == ("intake", "SchemaError")
    assert reason in letter.reason
    assert (letter.source_topic, letter.partition, letter.offset, letter.key) == (
        harness.name(Topic.RAW),
        0,
        0,
        "poison-key",
    )
    assert (letter.payload, letter.payload_encoding) == ((poison or b"").decode(), "utf-8")
    assert sent[1].value == value  # the next message is processed as usual


async def test_intake_keeps_undecodable_bytes_as_base64(harness: Harness) -> None:
    poison = b"\xff\xfe not utf-8"
    [sent] = await harness.through("intake", [(None, poison)])
    assert (sent.topic, sent.key) == (harness.name(Topic.DEADLETTER), b"")
    letter = sent.record(DeadLetter)
    assert letter.payload_encoding == "base64"
    assert letter.key is None
    assert base64.b64decode(letter.payload) == poison


async def test_intake_dead_letters_an_article_too_big_to_pass_enriched(harness: Harness) -> None:
    huge = article_b().model_copy(update={"content": "خبر " * 300_000})  # 1.5 MB raw: over 900 KB
    key, value = message(huge)
    sent = await harness.through("intake", [(key, value), message(article_a())])
    assert [s.topic for s in sent] == [harness.name(Topic.DEADLETTER), harness.internal("dedupe")]
    letter = sent[0].record(DeadLetter)
    assert letter.error_type == "OversizeError"
    assert f"article of {len(value)} bytes, over KHABAR_PROCESSORS__MAX_ARTICLE_BYTES=900000" in letter.reason
    assert "(payload clipped to 200000 of" in letter.reason
    assert sent[0].value is not None
    assert len(sent[0].value) < 1_048_576


# ------------------------------------------------------------------------------------------------- dedupe


async def test_dedupe_forwards_unique_articles_and_relates_a_wire_copy(harness: Harness) -> None:
    a, b, copy = message(article_a()), message(article_b()), message(wire_copy())
    sent = await harness.through("dedupe", [a, copy, b])
    assert [(s.topic, s.key) for s in sent] == [
        (harness.internal("unique"), A_ID.encode()),
        (harness.name(Topic.DUPLICATES), COPY_ID.encode()),
        (harness.internal("unique"), B_ID.encode()),  # same story, other words: not a duplicate
    ]
    assert (sent[0].value, sent[2].value) == (a[1], b[1])
    relation = sent[1].record(Duplicate)
    assert (relation.article_id, relation.duplicate_of) == (COPY_ID, A_ID)
    assert (relation.outlet, relation.original_outlet, relation.url) == (
        "wire",
        "a",
        "https://wire.example/9",
    )
    assert relation.similarity == 1.0
    # One window entry an article, written through the table (its changelog), readable after the agent stops.
    window = harness.table("dedupe-window")
    assert set(window.keys()) == {A_ID, B_ID, COPY_ID}
    assert all(isinstance(entry, bytes) and entry for entry in window.values())


async def test_dedupe_rebuilds_its_window_from_the_table_after_a_rebalance(harness: Harness) -> None:
    """The stage is rebuilt from the table: a copy is still a duplicate, an unreadable entry is deleted."""
    await harness.through("dedupe", [message(article_a()), message(article_b())])
    window = harness.table("dedupe-window")
    window.data[B_ID] = b"\x00corrupt"  # straight into the store, as a foreign changelog entry would arrive
    await harness.app.on_rebalance_complete.send()  # the app forgets its stages
    sent = await harness.through("dedupe", [message(wire_copy())])
    assert [(s.topic, s.record(Duplicate).duplicate_of) for s in sent] == [
        (harness.name(Topic.DUPLICATES), A_ID)
    ]
    assert set(window.keys()) == {A_ID, COPY_ID}


# ------------------------------------------------------------------------------------------------- enrich


async def test_enrich_emits_an_enriched_article(harness: Harness) -> None:
    [sent] = await harness.through("enrich", [message(article_a())])
    assert (sent.topic, sent.key) == (harness.name(Topic.ENRICHED), A_ID.encode())
    enriched = sent.record(EnrichedArticle)
    assert (enriched.id, enriched.outlet, enriched.language) == (A_ID, "a", "ar")
    assert enriched.content == article_a().content
    assert enriched.word_count > 300
    assert len(enriched.keywords) == 10
    assert "ستيفان دي ميستورا" in {entity.name for entity in enriched.entities}
    assert {"سوريا", "حماة"} <= {place.name for place in enriched.places}


# ------------------------------------------------------------------------------------------------- gather


async def test_gather_moves_enriched_articles_to_the_stories_partition_unchanged(harness: Harness) -> None:
    messages = [(b"k1", b"first"), (b"k2", b"second")]
    sent = await harness.through("gather", messages)
    assert sent == [Sent(harness.internal("stories"), key, value) for key, value in messages]


async def test_gather_copies_moves_duplicate_relations_to_the_stories_partition(harness: Harness) -> None:
    messages = [(COPY_ID.encode(), b"relation")]
    sent = await harness.through("gather-copies", messages)
    assert sent == [Sent(harness.internal("stories"), COPY_ID.encode(), b"relation")]


# ------------------------------------------------------------------------------------------------ cluster


async def test_cluster_emits_clustered_articles_and_versioned_story_updates(harness: Harness) -> None:
    enriched = [
        s.value for s in await harness.through("enrich", [message(article_a()), message(article_b())])
    ]
    sent = await harness.through("cluster", [(A_ID.encode(), enriched[0]), (B_ID.encode(), enriched[1])])
    clustered = [s for s in sent if s.topic == harness.name(Topic.CLUSTERED)]
    stories = [s for s in sent if s.topic == harness.name(Topic.STORIES)]
    assert len(clustered) + len(stories) == len(sent)
    assert [s.key for s in clustered] == [A_ID.encode(), B_ID.encode()]
    first, second = (s.record(ClusteredArticle) for s in clustered)
    assert first.article.id == A_ID
    assert first.article.language == "ar"
    assert first.story_id == second.story_id  # the same story from two outlets
    assert (first.story_version, second.story_version) == (1, 2)
    updates = [s.record(StoryUpdate) for s in stories]
    assert [s.key for s in stories] == [first.story_id.encode()] * len(stories)
    assert [(u.version, u.event) for u in updates] == [(1, "created"), (2, "updated")]
    assert (updates[-1].article_count, updates[-1].outlets) == (2, ["a", "b"])
    assert harness.table("story-state")  # the story's state went to the table


async def test_cluster_dead_letters_a_raw_article_and_goes_on(harness: Harness) -> None:
    [enriched] = [s.value for s in await harness.through("enrich", [message(article_a())])]
    sent = await harness.through("cluster", [message(article_b()), (A_ID.encode(), enriched)])
    assert [s.topic for s in sent[:2]] == [harness.name(Topic.DEADLETTER), harness.name(Topic.CLUSTERED)]
    letter = sent[0].record(DeadLetter)
    assert (letter.stage, letter.source_topic, letter.offset, letter.key) == (
        "cluster",
        harness.internal("stories"),
        0,
        B_ID,
    )
    assert letter.payload == encode(article_b()).decode()


# ---------------------------------------------------------------------------------------------- the chain


async def test_the_agents_chained_end_to_end(harness: Harness) -> None:
    """Each agent's output put into the next, as the topics would carry it."""

    def inputs(sent: list[Sent], topic: str) -> list[tuple[bytes | None, bytes | None]]:
        return [(s.key, s.value) for s in sent if s.topic == topic]

    raw = [message(article_a()), message(wire_copy()), (b"x", b"{not json"), message(article_b())]
    intake = await harness.through("intake", raw)
    dedupe = await harness.through("dedupe", inputs(intake, harness.internal("dedupe")))
    enrich = await harness.through("enrich", inputs(dedupe, harness.internal("unique")))
    gather = await harness.through("gather", inputs(enrich, harness.name(Topic.ENRICHED)))
    copies = await harness.through("gather-copies", inputs(dedupe, harness.name(Topic.DUPLICATES)))
    cluster = await harness.through("cluster", inputs(gather + copies, harness.internal("stories")))
    assert [s.key for s in intake if s.topic == harness.name(Topic.DEADLETTER)] == [b"x"]
    assert [s.record(Duplicate).article_id for s in dedupe if s.topic == harness.name(Topic.DUPLICATES)] == [
        COPY_ID
    ]
    clustered = [s.record(ClusteredArticle) for s in cluster if s.topic == harness.name(Topic.CLUSTERED)]
    assert [c.article.id for c in clustered] == [A_ID, B_ID]
    assert len({c.story_id for c in clustered}) == 1
    # The copy counts in the story, with its outlet: it arrives after the two reports here.
    last = [s.record(StoryUpdate) for s in cluster if s.topic == harness.name(Topic.STORIES)][-1]
    assert (last.story_id, last.version, last.article_count) == (clustered[0].story_id, 3, 3)
    assert sorted(last.outlets) == ["a", "b", "wire"]
    # The alert rules read the story updates: the third outlet fires the growth alert, once.
    alerts = await harness.through("alerts", inputs(cluster + cluster, harness.name(Topic.STORIES)))
    assert [(s.topic, s.key) for s in alerts] == [(harness.name(Topic.ALERTS), last.story_id.encode())]
    alert = alerts[0].record(Alert)
    assert (alert.rule, alert.detail, alert.story_version) == ("growth", "3", 3)
    assert dict(harness.table("alert-state").items()).keys() == {last.story_id}


def test_a_bad_watch_term_stops_the_app_at_build_time(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, alerts=AlertSettings(watch=["داعش", "؟"]))
    with pytest.raises(AlertStateError, match="watch term '؟' has no word to match"):
        build_app(settings, app_id=f"test-agents-{uuid.uuid4().hex[:12]}", store="memory://")


def test_the_worker_logs_in_to_kafka_as_configured(tmp_path: Path) -> None:
    kafka = KafkaSettings(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512", sasl_username="news",
                          sasl_password=SecretStr("scram-secret"))  # fmt: skip
    app = build_app(
        Settings(data_dir=tmp_path, kafka=kafka), app_id=f"t-{uuid.uuid4().hex[:8]}", store="memory://"
    )
    credentials = app.conf.broker_credentials
    assert isinstance(credentials, faust.SASLCredentials)
    assert (credentials.protocol.value, credentials.mechanism.value) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (credentials.username, credentials.password) == ("news", "scram-secret")
    assert app.conf.broker_client_id == "khabar-processors"  # what the brokers and group coordinator show
    plain = build_app(Settings(data_dir=tmp_path), app_id=f"t-{uuid.uuid4().hex[:8]}", store="memory://")
    assert plain.conf.broker_credentials is None

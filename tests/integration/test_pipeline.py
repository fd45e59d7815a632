"""End to end, for real: `khabar replay` → Kafka → `khabar process` → `khabar sink` → Elasticsearch, and
the alert rules → the `alerts` topic → a webhook (a real HTTP server of the test).

Everything runs as the CLI runs it (separate worker processes, the producers' compressed publishing, the
Faust workers' consumers), on uuid topic names, app ids and index prefix. Every replayed article is accounted
for in Elasticsearch: an article document, or a duplicate recorded against its original. Every story that
spread to two outlets reaches the webhook as a growth alert, signed; a broken alert is a dead letter.
It runs three times: on the local broker's plaintext listener, on its SASL/PLAIN one, and on SASL over TLS,
as on a cluster where every client (topic admin, replay, both Faust workers) must log in, and verify the
broker's certificate, by configuration alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from contracts.schemas import DeadLetter, decode
from contracts.settings import KafkaSettings, Settings, TopicSettings
from contracts.topics import Topic, topic_name, topic_specs
from infra.errors import KafkaUnreachableError
from infra.topics import admin_client, ensure_topics
from producers.corpus import read_corpus
from producers.replay import DEMO_CORPUS
from tests.conftest import ROOT, stop

SLICE = ("2015-08-08T15:00+00:00", "2015-08-08T16:00+00:00")  # 92 articles of the bundled day
SECRET = "e2e-signing-secret"


class Webhook:
    """A real HTTP server: 503 to the first request, then 204 to each, recorded."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.refused = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not hook.refused:
                    hook.refused += 1
                    self.send_response(503)
                else:
                    hook.received.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/khabar"

    def alerts(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


@pytest.fixture(params=["plaintext", "sasl", "sasl_ssl"])
def kafka(request: pytest.FixtureRequest, stack: Settings) -> KafkaSettings:
    """The cluster as the pipeline reaches it: the local broker's plaintext listener, its SASL/PLAIN one, or
    SASL over TLS (a managed cluster's usual form: every client must log in, and verify the broker's
    certificate, by configuration alone)."""
    if request.param == "plaintext":
        return stack.kafka
    from infra.local.stack import LocalStack

    sasl = LocalStack(stack).sasl_kafka(tls=request.param == "sasl_ssl")
    try:
        admin_client(sasl).close()
    except KafkaUnreachableError as exc:
        pytest.fail(f"{exc}\nA local stack started before its SASL listener existed: restart it.")
    return sasl


def _kafka_env(kafka: KafkaSettings) -> dict[str, str]:
    values = {
        "KHABAR_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap,
        "KHABAR_KAFKA__SECURITY_PROTOCOL": kafka.security_protocol,
    }
    if kafka.ssl_cafile:
        values["KHABAR_KAFKA__SSL_CAFILE"] = str(kafka.ssl_cafile)
    if kafka.sasl_mechanism and kafka.sasl_username and kafka.sasl_password:
        values |= {
            "KHABAR_KAFKA__SASL_MECHANISM": kafka.sasl_mechanism,
            "KHABAR_KAFKA__SASL_USERNAME": kafka.sasl_username,
            "KHABAR_KAFKA__SASL_PASSWORD": kafka.sasl_password.get_secret_value(),
        }
    return values


@pytest.fixture
def env(stack: Settings, kafka: KafkaSettings, tmp_path: Path, webhook: Webhook) -> Iterator[dict[str, str]]:
    run = uuid.uuid4().hex[:10]
    topics = TopicSettings(prefix=f"e2e{run}.", partitions=2)
    admin = admin_client(kafka)
    ensure_topics(admin, topic_specs(topics))
    values = (
        os.environ
        | _kafka_env(kafka)
        | {
            "KHABAR_TOPICS__PREFIX": topics.prefix,
            "KHABAR_TOPICS__PARTITIONS": "2",
            "KHABAR_PROCESSORS__APP_ID": f"e2e-processors-{run}",
            "KHABAR_PROCESSORS__STORE": "memory://",
            "KHABAR_SINKS__APP_ID": f"e2e-sinks-{run}",
            "KHABAR_SINKS__INDEX_PREFIX": f"e2e-{run}",
            "KHABAR_SINKS__METRICS_PORT": "0",
            "KHABAR_DATA_DIR": str(tmp_path / "data"),
            "KHABAR_LOG_FORMAT": "json",
            "KHABAR_PROCESSORS__METRICS_PORT": "0",
            "KHABAR_ALERTS__GROWTH_OUTLETS": "2",
            "KHABAR_ALERTS__WATCH": "عسير",
            "KHABAR_ALERTS__WEBHOOK_URL": webhook.url,
            "KHABAR_ALERTS__WEBHOOK_SECRET": SECRET,
            "KHABAR_SINKS__RETRY_INITIAL_S": "0.2",
        }
    )
    yield values
    created = [name for name in admin.list_topics() if run in name]
    if created:
        admin.delete_topics(created)
    admin.close()
    from elasticsearch import Elasticsearch

    es = Elasticsearch(stack.elasticsearch.hosts)
    indices = list(es.indices.get(index=f"e2e-{run}-*", expand_wildcards="all"))
    if indices:
        es.indices.delete(index=",".join(indices), ignore_unavailable=True)
    templates = es.options(ignore_status=404).indices.get_index_template(name=f"e2e-{run}-*")
    for template in templates.get("index_templates", []):
        es.indices.delete_index_template(name=template["name"])
    es.close()


def _khabar(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "khabar", *args],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_replay_to_search(env: dict[str, str], stack: Settings, tmp_path: Path, webhook: Webhook) -> None:
    from elasticsearch import Elasticsearch

    from producers.corpus import parse_time, to_raw_article

    since, until = (parse_time(value) for value in SLICE)
    raws = {a.id: a for a in map(to_raw_article, read_corpus(DEMO_CORPUS, since=since, until=until))}
    expected = set(raws)
    assert 30 < len(expected) < 300
    prefix = env["KHABAR_SINKS__INDEX_PREFIX"]
    logs = tmp_path / "workers.log"
    workers = [_khabar(env, "process", log=logs), _khabar(env, "sink", log=logs)]
    es = Elasticsearch(stack.elasticsearch.hosts)
    try:
        replay = subprocess.run(
            [sys.executable, "-m", "khabar", "replay", "--from", SLICE[0], "--until", SLICE[1]],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert replay.returncode == 0, replay.stdout + replay.stderr

        def landed() -> tuple[set[str], set[str]]:
            es.indices.refresh(index=f"{prefix}-*")
            articles = es.search(index=f"{prefix}-articles", size=1000, source=False, query={"match_all": {}})
            duplicates = es.search(index=f"{prefix}-duplicates", size=1000, source=["duplicates"])
            found = {hit["_id"] for hit in articles["hits"]["hits"]}
            copies = {
                entry["id"]
                for hit in duplicates["hits"]["hits"]
                for entry in hit["_source"].get("duplicates", [])
            }
            return found, copies

        deadline = time.monotonic() + 300
        found: set[str] = set()
        copies: set[str] = set()
        while time.monotonic() < deadline:
            for worker in workers:
                assert worker.poll() is None, logs.read_text(errors="replace")[-4000:]
            if es.indices.exists_alias(name=f"{prefix}-articles"):
                found, copies = landed()
                if found | copies >= expected:
                    break
            time.sleep(3)
        assert found | copies == expected, f"missing {len(expected - found - copies)} of {len(expected)}"
        assert not found & copies
        stories = es.count(index=f"{prefix}-stories")["count"]
        assert 0 < stories <= len(found)
        # Every indexed article points at a story that exists.
        sample = es.search(index=f"{prefix}-articles", size=5, source=["story_id", "title", "outlet"])
        for hit in sample["hits"]["hits"]:
            assert es.exists(index=f"{prefix}-stories", id=hit["_source"]["story_id"])
            # the document is the replayed article, with its id, title and outlet unchanged
            raw = raws[hit["_id"]]
            assert (hit["_source"]["title"], hit["_source"]["outlet"]) == (raw.title, raw.outlet)
        # Every article and wire copy counts in exactly one active story, a copy with its outlet.
        deadline = time.monotonic() + 60
        while True:
            es.indices.refresh(index=f"{prefix}-stories")
            active = es.search(
                index=f"{prefix}-stories", size=1000, query={"term": {"status": "active"}},
                source=["article_count", "outlets"],
            )["hits"]["hits"]  # fmt: skip
            counted = sum(hit["_source"]["article_count"] for hit in active)
            if counted >= len(expected) or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert counted == len(expected), f"the active stories count {counted} of {len(expected)} articles"
        assert copies, "the slice has wire copies"
        outlets = {hit["_id"]: set(hit["_source"]["outlets"]) for hit in active}
        relations = es.search(index=f"{prefix}-duplicates", size=1000)["hits"]["hits"]
        originals = es.search(
            index=f"{prefix}-articles", size=1000, query={"ids": {"values": [r["_id"] for r in relations]}},
            source=["story_id"],
        )["hits"]["hits"]  # fmt: skip
        story_of = {hit["_id"]: hit["_source"]["story_id"] for hit in originals}
        assert set(story_of) == {r["_id"] for r in relations}
        for relation in relations:
            for entry in relation["_source"]["duplicates"]:
                assert entry["outlet"] in outlets[story_of[relation["_id"]]]
        spread = {sid for sid, names in outlets.items() if len(names) >= 2}
        _check_alerts(env, stack, webhook, spread=spread, es=es, index=f"{prefix}-alerts")
    finally:
        stop(*workers)
        es.close()


def _check_alerts(
    env: dict[str, str], stack: Settings, webhook: Webhook, *, spread: set[str], es: Any, index: str
) -> None:
    """Every active story with two outlets was alerted on once, signed; the watched region was alerted on;
    every alert delivered is one document in Elasticsearch; a broken message on the alerts topic became
    exactly one dead letter of the sinks."""
    from kafka import KafkaConsumer, KafkaProducer

    from infra.topics import client_config

    topics = TopicSettings(prefix=env["KHABAR_TOPICS__PREFIX"], partitions=2)
    producer = KafkaProducer(**client_config(stack.kafka, "e2e"))
    producer.send(topic_name(Topic.ALERTS, topics), key=b"s-broken", value=b'{"kind": "alert"')
    producer.flush()
    producer.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        growth = {a["story_id"] for a in webhook.alerts() if a["rule"] == "growth"}
        if growth >= spread and any(a["rule"] == "watch" for a in webhook.alerts()):
            break
        time.sleep(2)
    assert webhook.refused == 1  # the first answer was a 503, and the alert was sent again
    alerts = webhook.alerts()
    assert spread, "the slice has stories that spread to two outlets"
    assert {a["story_id"] for a in alerts if a["rule"] == "growth"} >= spread
    ids = [a["alert_id"] for a in alerts]
    assert len(ids) == len(set(ids)), "no alert was delivered twice"
    assert next(a["reason"] for a in alerts if a["rule"] == "watch").startswith("names «عسير»")
    for headers, body in webhook.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Khabar-Signature"] == expected
        assert headers["Idempotency-Key"] == json.loads(body)["alert_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        es.indices.refresh(index=index)
        indexed = {hit["_id"]: hit["_source"] for hit in es.search(index=index, size=1000)["hits"]["hits"]}
        if len(indexed) >= len(ids):
            break
        time.sleep(2)
    assert set(indexed) == set(ids), "every alert delivered is indexed, once"
    for alert in alerts:
        assert indexed[alert["alert_id"]]["headline"] == alert["headline"]
        assert indexed[alert["alert_id"]]["outlet_count"] == len(set(alert["outlets"]))
    consumer = KafkaConsumer(
        topic_name(Topic.DEADLETTER, topics),
        **client_config(stack.kafka, "e2e"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=5000,
    )
    letters: list[DeadLetter] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        letters += [decode(r.value, DeadLetter) for rs in consumer.poll(timeout_ms=1000).values() for r in rs]
        if any(d.key == "s-broken" for d in letters):  # read on a little: a second letter would show up
            deadline = min(deadline, time.monotonic() + 5)
    consumer.close()
    [letter] = [d for d in letters if d.key == "s-broken"]  # one dead letter, though two agents read it
    assert letter.stage == "sinks"
    assert letter.source_topic == topic_name(Topic.ALERTS, topics)
    assert letter.payload == '{"kind": "alert"'

"""The local stack and the topic admin, against the real engines."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kafka.admin import ConfigResource, ConfigResourceType
from pydantic import SecretStr

from contracts.settings import Settings, TopicSettings
from contracts.topics import topic_specs
from infra.errors import InfraError, KafkaUnreachableError
from infra.local.stack import LocalStack
from infra.topics import admin_client, ensure_topics
from tests.conftest import ROOT


def test_status_reports_both_engines_healthy(stack: Settings) -> None:
    health = {h.name: h for h in LocalStack(stack, log=lambda line: None).status()}
    assert set(health) == {"kafka", "elasticsearch"}
    assert health["kafka"].healthy, health["kafka"].detail
    assert health["elasticsearch"].healthy, health["elasticsearch"].detail
    assert health["elasticsearch"].detail in ("status green", "status yellow")


def test_up_twice_is_harmless(stack: Settings) -> None:
    local = LocalStack(stack, log=lambda line: None)
    before = {h.name: h.pid for h in local.status()}
    after = {h.name: h.pid for h in local.up()}
    assert after == before


def test_topics_create_is_idempotent_and_follows_the_contract(stack: Settings) -> None:
    topics = TopicSettings(prefix=f"t{uuid.uuid4().hex[:8]}.", partitions=3)
    specs = topic_specs(topics)
    admin = admin_client(stack.kafka)
    try:
        first = ensure_topics(admin, specs)
        second = ensure_topics(admin, specs)
        assert all(state.created for state in first)
        assert not any(state.created for state in second)
        assert {state.partitions for state in second} == {3}
        for spec in specs:
            described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, spec.name)])
            config = described["topic"][spec.name]
            assert config["retention.ms"]["value"] == spec.config["retention.ms"]
            assert config["cleanup.policy"]["value"] == spec.config["cleanup.policy"]
    finally:
        admin.delete_topics([spec.name for spec in specs])
        admin.close()


def test_a_replication_factor_beyond_the_brokers_is_one_clear_error(stack: Settings) -> None:
    topics = TopicSettings(prefix=f"t{uuid.uuid4().hex[:8]}.", replication_factor=3)
    admin = admin_client(stack.kafka)
    try:
        with pytest.raises(InfraError, match="replication factor 3 is more than the cluster's brokers"):
            ensure_topics(admin, topic_specs(topics))
    finally:
        admin.close()


def test_the_sasl_listener_takes_its_user_and_names_a_refused_login(stack: Settings) -> None:
    sasl = LocalStack(stack, log=lambda line: None).sasl_kafka()
    admin = admin_client(sasl)
    try:
        assert admin.describe_cluster()["brokers"]
    finally:
        admin.close()
    wrong = sasl.model_copy(update={"sasl_password": SecretStr("not-the-password")})
    with pytest.raises(
        KafkaUnreachableError, match=r"refused the login of 'khabar'.*KHABAR_KAFKA__SASL_PASSWORD"
    ):
        admin_client(wrong, bootstrap_timeout_ms=4000)
    with pytest.raises(
        KafkaUnreachableError, match=r"khabar stack up\) or set KHABAR_KAFKA__BOOTSTRAP_SERVERS$"
    ):
        admin_client(
            stack.kafka.model_copy(update={"bootstrap_servers": ["127.0.0.1:1"]}), bootstrap_timeout_ms=2000
        )


def test_the_tls_listener_is_verified_against_its_certificate(stack: Settings) -> None:
    tls = LocalStack(stack, log=lambda line: None).sasl_kafka(tls=True)
    admin = admin_client(tls)  # the stack's certificate trusted: host name and chain check out
    try:
        assert admin.describe_cluster()["brokers"]
    finally:
        admin.close()
    untrusted = tls.model_copy(update={"ssl_cafile": None})  # the system's CAs do not know it
    with pytest.raises(
        KafkaUnreachableError, match=r"certificate is not trusted \(KHABAR_KAFKA__SSL_CAFILE\)"
    ):
        admin_client(untrusted, bootstrap_timeout_ms=4000)


def test_the_workers_refuse_to_start_with_a_wrong_login_in_one_line(stack: Settings, tmp_path: Path) -> None:
    sasl = LocalStack(stack, log=lambda line: None).sasl_kafka()
    env = os.environ | {
        "KHABAR_DATA_DIR": str(tmp_path),
        "KHABAR_KAFKA__BOOTSTRAP_SERVERS": sasl.bootstrap,
        "KHABAR_KAFKA__SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KHABAR_KAFKA__SASL_MECHANISM": "PLAIN",
        "KHABAR_KAFKA__SASL_USERNAME": "khabar",
        "KHABAR_KAFKA__SASL_PASSWORD": "not-the-password",
        "KHABAR_PROCESSORS__METRICS_PORT": "0",
        "KHABAR_SINKS__METRICS_PORT": "0",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "khabar", *command],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in (["process"], ["sink", "--skip-setup"])
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        last = err.strip().splitlines()[-1]
        assert worker.returncode == 2, err[-2000:]
        assert last.startswith(f"error: no Kafka broker answered at {sasl.bootstrap} over SASL_PLAINTEXT")
        assert "refused the login of 'khabar'" in last

"""The local stack and the topic admin, against the real engines."""

from __future__ import annotations

import uuid

from kafka.admin import ConfigResource, ConfigResourceType

from contracts.settings import Settings, TopicSettings
from contracts.topics import topic_specs
from infra.local.stack import LocalStack
from infra.topics import admin_client, ensure_topics


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

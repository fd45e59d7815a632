from __future__ import annotations

import pytest

from contracts.errors import TopicError
from contracts.schemas import RECORD_TYPES
from contracts.settings import TopicSettings
from contracts.topics import Topic, TopicSpec, topic_name, topic_specs


def test_every_topic_has_one_spec_in_flow_order() -> None:
    specs = topic_specs(TopicSettings())
    assert [s.topic for s in specs] == list(Topic)
    assert specs[0].name == "articles.raw"


def test_prefix_partitions_and_retention_come_from_settings() -> None:
    settings = TopicSettings(prefix="prod.", partitions=12, replication_factor=3, retention_days=2)
    specs = {s.topic: s for s in topic_specs(settings)}
    assert specs[Topic.RAW].name == "prod.articles.raw" == topic_name(Topic.RAW, settings)
    assert {s.partitions for s in specs.values()} == {12}
    assert {s.replication_factor for s in specs.values()} == {3}
    assert specs[Topic.RAW].config["retention.ms"] == str(2 * 24 * 3600 * 1000)
    assert specs[Topic.STORIES].config["cleanup.policy"] == "compact,delete"


def test_every_value_names_a_record_schema() -> None:
    for spec in topic_specs(TopicSettings()):
        assert spec.value in RECORD_TYPES


def test_invalid_spec_names_the_topic() -> None:
    with pytest.raises(TopicError, match="'x'"):
        TopicSpec(topic=Topic.RAW, name="x", key="k", value="raw_article", partitions=0, replication_factor=1)

"""Create and describe the pipeline's topics on any Kafka cluster (kafka-python 3.x admin API)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import InvalidReplicationFactorError, KafkaError, TopicAlreadyExistsError

from contracts.settings import KafkaSettings
from contracts.topics import TopicSpec
from infra.errors import InfraError, KafkaUnreachableError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TopicState:
    name: str
    created: bool
    partitions: int


def client_config(kafka: KafkaSettings, role: str) -> dict[str, Any]:
    """kafka-python client options for the configured cluster, credentials included."""
    return {
        "bootstrap_servers": kafka.bootstrap,
        "client_id": f"{kafka.client_id}-{role}",
        **kafka.security_options(),
    }


def connect(kind: Callable[..., T], kafka: KafkaSettings, role: str, **options: Any) -> T:
    """A kafka-python client (``KafkaAdminClient``, ``KafkaConsumer``, ``KafkaProducer``) of the configured
    cluster, credentials included. No broker answering (down, a wrong address, a refused login) raises one
    :class:`KafkaUnreachableError` that names the address and the settings to check."""
    try:
        return kind(**(client_config(kafka, role) | options))
    except KafkaError as exc:
        login = (
            f"; or the broker refused the login of {kafka.sasl_username!r} (check "
            "KHABAR_KAFKA__SASL_MECHANISM, KHABAR_KAFKA__SASL_USERNAME and KHABAR_KAFKA__SASL_PASSWORD)"
            if kafka.sasl_mechanism
            else ""
        )
        tls = (
            "; or its TLS certificate is not trusted (KHABAR_KAFKA__SSL_CAFILE)"
            if kafka.security_protocol.endswith("SSL")
            else ""
        )
        raise KafkaUnreachableError(
            f"no Kafka broker answered at {kafka.bootstrap} over {kafka.security_protocol} ({exc}): "
            f"start the local stack (khabar stack up) or set KHABAR_KAFKA__BOOTSTRAP_SERVERS{login}{tls}"
        ) from None


def admin_client(kafka: KafkaSettings, **overrides: Any) -> KafkaAdminClient:
    """A kafka-python admin client for the configured cluster, credentials included (see :func:`connect`)."""
    return connect(KafkaAdminClient, kafka, "admin", **({"request_timeout_ms": 15000} | overrides))


def ensure_topics(admin: KafkaAdminClient, specs: Iterable[TopicSpec]) -> list[TopicState]:
    """Create the topics that are missing; existing ones are left as they are (idempotent)."""
    specs = list(specs)
    created = create_missing(
        admin,
        [NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=dict(s.config)) for s in specs],
    )
    partitions = describe_partitions(admin, [spec.name for spec in specs])
    return [TopicState(spec.name, spec.name in created, partitions.get(spec.name, 0)) for spec in specs]


def create_missing(admin: KafkaAdminClient, topics: Iterable[NewTopic]) -> set[str]:
    """Create those of ``topics`` that do not exist and wait for their leaders; return the names created."""
    existing = set(admin.list_topics())
    missing = [topic for topic in topics if topic.name not in existing]
    for topic in missing:
        try:
            admin.create_topics([topic])
        except TopicAlreadyExistsError:  # created concurrently by another worker: fine
            continue
        except InvalidReplicationFactorError:
            raise InfraError(
                f"topic {topic.name!r}: replication factor {topic.replication_factor} is more than the "
                "cluster's brokers; lower KHABAR_TOPICS__REPLICATION_FACTOR (1 for the local stack)"
            ) from None
    if missing:
        admin.wait_for_topics([topic.name for topic in missing], timeout_ms=30000)
    return {topic.name for topic in missing}


def describe_partitions(admin: KafkaAdminClient, names: list[str]) -> dict[str, int]:
    """Partition count of each named topic (kafka-python 3.x: items carry ``name``)."""
    result: dict[str, int] = {}
    for item in admin.describe_topics(names):
        if item.get("error_code", 0) not in (0, None):
            raise InfraError(
                f"topic {item.get('name')!r}: describe failed with error code {item['error_code']}"
            )
        result[item["name"]] = len(item.get("partitions", []))
    return result

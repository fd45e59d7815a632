"""Shared fixtures: settings, the real local stack (started or reused), and per-test topics and indices.

Tests under ``tests/unit`` are marked ``unit`` and need no service; tests under ``tests/integration``
are marked ``integration`` and talk to the real Kafka and Elasticsearch of ``khabar stack up``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the project (or ``KHABAR_SHARED_DIR``): real data for data-driven tests."""
    return Path(os.environ.get("KHABAR_SHARED_DIR", ROOT.parent / "shared")).resolve()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT).parts
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        elif "unit" in parts:
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def saudinewsnet_day() -> list[dict[str, Any]]:
    """The rows of the first SaudiNewsNet day under ``../shared`` (the test is skipped without them)."""
    archives = sorted((shared_dir() / "data" / "saudinewsnet").glob("*.zip"))
    if not archives:
        pytest.skip(f"no SaudiNewsNet archives under {shared_dir() / 'data'}")
    with zipfile.ZipFile(archives[0]) as zf:
        rows: list[dict[str, Any]] = json.loads(zf.read(zf.namelist()[0]))
    return rows


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def stack(settings: Settings) -> Iterator[Settings]:
    """Reuse a running local stack, or start one for the session (and stop only what we started)."""
    from infra.local.stack import LocalStack

    local = LocalStack(settings, log=lambda line: None)
    already = all(h.healthy for h in local.status())
    if not already:
        local.up()
    yield settings
    if not already:
        local.down()


@pytest.fixture
def topic_factory(stack: Settings) -> Iterator[Callable[..., str]]:
    """Make uuid-named topics on the real Kafka; they are deleted after the test."""
    from infra.topics import admin_client

    admin = admin_client(stack.kafka)
    made: list[str] = []

    def make(prefix: str = "test", partitions: int = 1) -> str:
        from kafka.admin import NewTopic

        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        admin.create_topics([NewTopic(name, partitions, 1)])
        admin.wait_for_topics([name], timeout_ms=30000)
        made.append(name)
        return name

    yield make
    if made:
        admin.delete_topics(made)
    admin.close()


@pytest.fixture
def es(stack: Settings) -> Iterator[object]:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(stack.elasticsearch.hosts, request_timeout=30)
    yield client
    client.close()


@pytest.fixture
def index_factory(es: object) -> Iterator[Callable[..., str]]:
    """Make uuid-named index names; whatever was created under them is deleted after the test."""
    made: list[str] = []

    def make(prefix: str = "test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        made.append(name)
        return name

    yield make
    for name in made:
        es.indices.delete(index=name, ignore_unavailable=True)  # type: ignore[attr-defined]


def stop(*workers: subprocess.Popen[bytes]) -> None:
    """Stop workers as an operator does (SIGTERM: commit, flush tables), killing those that hang."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()

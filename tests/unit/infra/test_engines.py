from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts.settings import load_settings
from infra.errors import ToolMissingError
from infra.local import engines
from infra.local.stack import TEMPLATES, LocalStack


def test_versions_are_pinned_in_the_pom() -> None:
    versions = engines.pinned_versions()
    assert re.fullmatch(r"[34]\.\d+\.\d+", versions.kafka)
    assert re.fullmatch(r"8\.\d+\.\d+", versions.elasticsearch)


def test_missing_java_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ToolMissingError, match="apt-get install openjdk-17"):
        engines.find_java(None)


def test_missing_maven_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ToolMissingError, match="apt-get install maven"):
        engines.find_maven()


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    fake.chmod(0o755)
    with pytest.raises(ToolMissingError, match="Java 11"):
        engines.find_java(tmp_path)


def test_engine_paths_follow_the_pinned_versions(tmp_path: Path) -> None:
    found = engines.Engines(tmp_path, engines.Versions(kafka="4.1.1", elasticsearch="8.19.21"))
    assert found.kafka_libs == tmp_path / "kafka-4.1.1" / "libs"
    assert found.plugin_dir.name == engines.PLUGIN_NAME
    assert not found.fetched()


def test_stack_addresses_come_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KHABAR_KAFKA__BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    monkeypatch.setenv("KHABAR_ELASTICSEARCH__HOSTS", "http://127.0.0.1:19200")
    monkeypatch.setenv("KHABAR_DATA_DIR", str(tmp_path))
    stack = LocalStack(load_settings(), log=lambda line: None)
    assert (stack.kafka_host, stack.kafka_port) == ("127.0.0.1", 19092)
    assert stack.sasl_kafka().bootstrap == "127.0.0.1:19094"
    assert stack.kafka_tls_port == 19095
    assert stack.es_url == "http://127.0.0.1:19200"
    assert stack.kafka.pid_file.parent == tmp_path / "kafka"


@pytest.mark.parametrize("name", ["kafka.properties", "elasticsearch.yml"])
def test_templates_have_only_known_placeholders(name: str) -> None:
    placeholders = set(re.findall(r"\$\{(\w+)\}", (TEMPLATES / name).read_text()))
    known = {"host", "port", "controller_port", "data_dir", "partitions", "logs_dir", "transport_port"}
    known |= {"sasl_port", "sasl_username", "sasl_password", "tls_port", "keystore", "keystore_password"}
    assert placeholders
    assert placeholders <= known


def test_reset_deletes_engine_data_and_worker_tables_but_keeps_the_engines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KHABAR_DATA_DIR", str(tmp_path))
    settings = load_settings()
    stack = LocalStack(settings, log=lambda line: None)
    tables = settings.worker_state_dir / "khabar-processors" / "tables"
    for folder in (stack.kafka.home / "data", stack.elasticsearch.home / "data", tables, stack.engines.root):
        folder.mkdir(parents=True)
    assert stack.down() == []  # nothing runs here: nothing stopped, nothing deleted
    assert tables.exists()
    stack.down(reset=True)
    assert not stack.kafka.home.exists()
    assert not stack.elasticsearch.home.exists()
    assert not settings.worker_state_dir.exists()  # its offsets would be past the emptied changelogs
    assert stack.engines.root.exists()  # the downloaded engines stay

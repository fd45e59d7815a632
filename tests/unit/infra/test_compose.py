"""docker-compose.yml cannot run here, so check that it is valid and names only what exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from contracts.settings import load_settings
from infra.local.engines import pinned_versions
from khabar.cli import cli

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "infra" / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def test_engines_match_the_local_stack_versions(compose: dict[str, Any]) -> None:
    versions = pinned_versions()
    services = compose["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{versions.kafka}"
    assert services["elasticsearch"]["image"].endswith(f"/elasticsearch:{versions.elasticsearch}")
    assert services["kibana"]["image"].endswith(f"/kibana:{versions.elasticsearch}")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"


def _khabar_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if svc.get("image") == "khabar:latest"}


def test_every_khabar_command_exists(compose: dict[str, Any]) -> None:
    services = _khabar_services(compose)
    assert services, "no service runs the khabar image"
    for name, service in services.items():
        args = [a for a in service["command"] if not a.startswith("-")]
        group: click.Command = cli
        for word in args:
            assert isinstance(group, click.Group), (
                f"{name}: {word!r} follows a command that has no subcommands"
            )
            sub = group.commands.get(word)
            assert sub is not None, f"{name}: `khabar {' '.join(args)}` names no command ({word!r})"
            group = sub
        assert service["build"]["dockerfile"] == "infra/Dockerfile"
        assert (COMPOSE.parent / service["build"]["context"] / service["build"]["dockerfile"]).is_file()


def test_every_khabar_env_var_is_a_setting(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    fields = load_settings().model_dump()
    seen = 0
    for service in _khabar_services(compose).values():
        for env, value in service["environment"].items():
            assert env.startswith("KHABAR_"), env
            path = env.removeprefix("KHABAR_").lower().split("__")
            node: Any = fields
            for part in path:
                assert isinstance(node, dict), f"{env} is not a khabar setting"
                assert part in node, f"{env} is not a khabar setting"
                node = node[part]
            monkeypatch.setenv(env, str(value))
            seen += 1
    assert seen
    load_settings()  # and their values are valid


def test_dockerfile_copies_only_what_exists() -> None:
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        match = re.match(r"COPY (.+) \S+$", line)
        if match:
            for source in match.group(1).split():
                assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"

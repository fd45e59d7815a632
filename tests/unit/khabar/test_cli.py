from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from contracts.errors import KhabarError
from khabar.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


ALL = _commands(cli)


def test_required_commands_exist() -> None:
    for path in [
        ("stack", "up"),
        ("stack", "down"),
        ("stack", "status"),
        ("stack", "logs"),
        ("topics", "create"),
        ("version",),
        ("run",),
    ]:
        assert path in ALL


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "khabar")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output
    assert len(result.output.strip().splitlines()) > 3


def test_version_names_the_pinned_engines() -> None:
    result = CliRunner().invoke(cli, ["version"])
    assert result.exit_code == 0, result.output
    assert "kafka 4." in result.output
    assert "elasticsearch 8." in result.output


def test_bad_settings_give_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHABAR_TOPICS__PARTITIONS", "zero")
    result = CliRunner().invoke(cli, ["version"])
    assert result.exit_code != 0
    assert "KHABAR_TOPICS__PARTITIONS" in str(result.exception)


@pytest.mark.parametrize("args", [["search", "عسير"], ["stories"], ["es", "setup"], ["sink"]])
def test_an_elasticsearch_that_does_not_answer_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("KHABAR_ELASTICSEARCH__HOSTS", "http://127.0.0.1:1")  # refused at once
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, KhabarError), result.output
    assert "did not answer at http://127.0.0.1:1" in str(result.exception)
    assert "KHABAR_ELASTICSEARCH__HOSTS" in str(result.exception)

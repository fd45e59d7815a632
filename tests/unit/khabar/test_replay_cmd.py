"""`khabar replay` refuses a slice or a pace it cannot use before it touches Kafka."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from khabar.cli import cli

pytestmark = pytest.mark.unit

# Nothing listens here: a test that reached Kafka would fail on the connection, not on the message.
NO_KAFKA = {"KHABAR_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:9"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2015-08-09", "--until", "2015-08-08"],
            "--from 2015-08-09 is not before --until 2015-08-08",
        ),
        (["--from", "0001-01-01T00:00+05:00"], "'0001-01-01T00:00+05:00' is out of range"),
        (["--flush-timeout", "-1"], "-1.0 is not in the range x>=0"),
    ],
)
def test_a_bad_slice_or_timeout_is_a_usage_error(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["replay", *args], env=NO_KAFKA)
    assert result.exit_code == 2, result.output
    assert message in result.output

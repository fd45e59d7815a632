"""The main job's replay command line: paced by default, so clustering sees about publish order."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.run_cmd import DEFAULT_RATE, replay_command

pytestmark = pytest.mark.unit


def test_the_main_job_replays_at_a_pace_by_default() -> None:
    assert replay_command(None, speed=None, rate=DEFAULT_RATE)[-3:] == ["replay", "--rate", "20/s"]


def test_speed_wins_over_rate_and_max_sends_unpaced() -> None:
    day = Path("day.zip")
    assert replay_command(day, speed="600x", rate="60/s")[-4:] == ["replay", "day.zip", "--speed", "600x"]
    assert replay_command(day, speed=None, rate="max")[-2:] == ["replay", "day.zip"]

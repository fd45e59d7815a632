"""The main job's replay command line: paced by default, so clustering sees about publish order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def test_a_sigterm_stops_the_workers_as_ctrl_c_does(tmp_path: Path) -> None:
    script = f"""
import signal, sys, time
from pathlib import Path
from khabar.run_cmd import _interrupt, _worker
signal.signal(signal.SIGTERM, _interrupt)
with _worker("w", [sys.executable, "-c", "import time; time.sleep(60)"], Path({str(tmp_path)!r})) as w:
    print(w.pid, flush=True)
    time.sleep(60)
"""
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    lines = iter(parent.stdout.readline, "")
    worker = int(next(line for line in lines if line.strip().isdigit()))  # after _worker's own line
    parent.send_signal(signal.SIGTERM)
    parent.wait(timeout=30)
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not orphaned
        os.kill(worker, 0)

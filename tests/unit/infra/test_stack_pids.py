"""The local stack's pid files: a pid that is not our engine is never signalled (no engine is started)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from contracts.settings import Settings
from infra.local.stack import LocalStack

pytestmark = pytest.mark.unit


def test_a_stale_pid_file_naming_another_process_is_left_alone_and_removed(tmp_path: Path) -> None:
    # After a reboot the pid in the file may belong to anything: here, a sleeping Python.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lines: list[str] = []
        local = LocalStack(Settings(data_dir=tmp_path), log=lines.append)
        for layout in (local.kafka, local.elasticsearch):
            layout.pid_file.parent.mkdir(parents=True, exist_ok=True)
            layout.pid_file.write_text(f"{other.pid}\n")
        assert local.down() == []
        assert other.poll() is None  # still running: nothing was signalled
        assert not local.kafka.pid_file.exists()
        assert not local.elasticsearch.pid_file.exists()
        assert any(f"names pid {other.pid}, which is not kafka: left alone" in line for line in lines)
        assert [h.running for h in local.status()] == [False, False]
    finally:
        other.kill()
        other.wait()

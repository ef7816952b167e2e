"""The progress display: on stderr when it is a terminal, never when piped or
in JSON mode."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CMD = [sys.executable, "-m", "unionstate", "validate", str(ROOT / "data")]


def _stderr_on_a_terminal(extra: list[str]) -> str:
    leader, follower = pty.openpty()
    proc = subprocess.run(
        CMD + extra, stdout=subprocess.DEVNULL, stderr=follower, check=False, timeout=120
    )
    os.close(follower)
    chunks = []
    try:
        while True:
            data = os.read(leader, 65536)
            if not data:
                break
            chunks.append(data)
    except OSError:  # the terminal is closed once everything was read
        pass
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_shows_on_a_terminal() -> None:
    err = _stderr_on_a_terminal([])
    assert "records (" in err
    assert err.rstrip().endswith("\x1b[K")  # the line is cleared at the end


def test_no_progress_in_json_mode_even_on_a_terminal() -> None:
    assert _stderr_on_a_terminal(["--format", "json"]) == ""


def test_no_progress_when_piped() -> None:
    proc = subprocess.run(CMD, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0
    assert proc.stderr == ""

"""applianceops.supervise: what `make run` starts beside the server is started again if it exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A helper that writes its pid to a file, one line per start, then waits to be stopped.
HELPER = "import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()}\\n'); time.sleep(120)"


def _supervise(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "applianceops.supervise", *args],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )


def _starts(path: Path, count: int) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if path.exists():
            pids = [int(line) for line in path.read_text().split()]
            if len(pids) >= count:
                return pids
        time.sleep(0.1)
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) is not alive either.
    status = Path(f"/proc/{pid}/stat")
    return not status.exists() or status.read_text().split()[2] != "Z"


def test_a_helper_that_dies_is_started_again_and_everything_stops_with_the_supervisor(tmp_path):
    starts = tmp_path / "starts"
    server = [sys.executable, "-c", "import time; time.sleep(120)"]
    supervisor = _supervise("--helper", f'{sys.executable} -c "{HELPER}" {starts}', "--", *server)
    try:
        (first,) = _starts(starts, 1)
        os.kill(first, signal.SIGKILL)  # as the OOM killer or a crash would

        pids = _starts(starts, 2)
        assert len(pids) == 2, "the helper was not started again"
        assert _alive(pids[1])
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
    assert "exited with code -9; starting it again in 1s" in supervisor.stderr.read()
    assert not _alive(pids[1])


def test_when_the_server_exits_the_helpers_stop_and_its_exit_code_is_kept(tmp_path):
    starts = tmp_path / "starts"
    server = [
        sys.executable,
        "-c",
        f"import os, time; time.sleep(1); os.path.exists('{starts}') or exit(5); exit(3)",
    ]
    supervisor = _supervise("--helper", f'{sys.executable} -c "{HELPER}" {starts}', "--", *server)

    assert supervisor.wait(timeout=30) == 3
    (helper,) = _starts(starts, 1)
    assert not _alive(helper)


def test_a_once_command_runs_once_and_is_stopped_with_the_rest(tmp_path):
    quick, slow = tmp_path / "quick", tmp_path / "slow"
    says_once = "import os, sys; open(sys.argv[1], 'a').write(f'{os.getpid()}\\n')"
    server = [sys.executable, "-c", "import time; time.sleep(120)"]
    supervisor = _supervise(
        "--once",
        f'{sys.executable} -c "{says_once}" {quick}',
        "--once",
        f'{sys.executable} -c "{HELPER}" {slow}',
        "--",
        *server,
    )
    try:
        (slow_pid,) = _starts(slow, 1)
        # Long enough for a helper to have been started again (the first pause is 1 s).
        time.sleep(3)
        assert len(_starts(quick, 1)) == 1, "a --once command is not started again"
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
    assert not _alive(slow_pid)

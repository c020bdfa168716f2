"""The local stack's logs are rotated by size, whole lines at a time, and keep a process's last words."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from scripts.stack import processes
from scripts.stack.processes import Stack
from scripts.stack.topology import ROOT, TEST


def pipe_into(log: Path, max_bytes: int, backups: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.stack.logpipe", str(log), str(max_bytes), str(backups)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
    )


def wait_for(log: Path, ending: bytes) -> None:
    """Until the log ends so: the pipe writes as it reads, a moment after the process did."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if log.exists() and log.read_bytes().endswith(ending):
            return
        time.sleep(0.02)
    raise AssertionError(f"{log} does not end with {ending!r}")


def lines(count: int) -> bytes:
    return b"".join(f"line {i:05d} of the process's output\n".encode() for i in range(count))


def test_a_log_past_its_size_is_rotated_keeping_as_many_older_files_as_asked(tmp_path):
    log = tmp_path / "app.log"
    output = lines(400)  # 14 kB
    pipe = pipe_into(log, 4000, 2)
    pipe.communicate(output)

    files = [log, log.with_name("app.log.1"), log.with_name("app.log.2")]
    assert all(f.exists() and f.stat().st_size <= 4000 for f in files)
    assert not log.with_name("app.log.3").exists()
    kept = b"".join(f.read_bytes() for f in reversed(files))
    assert output.endswith(kept) and all(f.read_bytes().endswith(b"\n") for f in files)


def test_the_log_pipe_outlasts_a_sigterm_and_keeps_what_the_process_says_on_its_way_out(tmp_path):
    log = tmp_path / "app.log"
    pipe = pipe_into(log, 1_000_000, 1)
    pipe.stdin.write(b"serving\n")
    pipe.stdin.flush()
    wait_for(log, b"serving\n")  # it has started (and set its signals aside)
    pipe.send_signal(signal.SIGTERM)  # what `make stop` sends the whole process group
    pipe.stdin.write(b"shutting down\n")
    pipe.communicate()
    assert log.read_bytes() == b"serving\nshutting down\n"


def test_the_stack_writes_each_process_log_through_a_rotating_pipe(tmp_path, monkeypatch):
    monkeypatch.setattr(processes, "LOG_MAX_BYTES", 2000)
    monkeypatch.setattr(processes, "LOG_BACKUPS", 1)
    monkeypatch.setattr(processes, "VENV_PYTHON", Path(sys.executable))
    stack = Stack(TEST)
    stack.pids, stack.logs = tmp_path / "pids", tmp_path / "logs"
    chatter = "for i in range(1000): print(f'line {i:05d}')"
    proc = stack._spawn("chatty", [sys.executable, "-c", chatter])
    proc.wait(timeout=30)

    log = stack.log_path("chatty")
    wait_for(log, b"line 00999\n")
    assert log.stat().st_size <= 2000 and log.with_name("chatty.log.1").stat().st_size <= 2000
    assert not log.with_name("chatty.log.2").exists()

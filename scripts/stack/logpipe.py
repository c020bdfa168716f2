"""Copies one process's output into its log file, rotating by size: NAME.log, then NAME.log.1 … NAME.log.N.

    python -m scripts.stack.logpipe LOG MAX_BYTES BACKUPS < the process's output

The stack starts one per process it runs (see Stack._spawn), reading a pipe the process writes to. It
shrugs off the SIGINT and SIGTERM meant for the process (a Ctrl-C reaches the whole terminal), so the
process's last words are kept, and ends when the process, and whatever it forked, close the pipe.
"""

import os
import signal
import sys
from pathlib import Path


def rotate(path: Path, backups: int) -> None:
    """NAME.log.(N-1) → NAME.log.N … NAME.log → NAME.log.1; what was NAME.log.N is gone."""
    for n in range(backups - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    if backups > 0:
        path.replace(path.with_name(f"{path.name}.1"))
    else:
        path.unlink(missing_ok=True)


def copy(source: int, path: Path, max_bytes: int, backups: int) -> None:
    out = open(path, "ab")  # noqa: SIM115 - reopened on every rotation
    size = out.tell()
    try:
        while chunk := os.read(source, 65536):
            while size + len(chunk) > max_bytes:
                room = max_bytes - size
                cut = chunk.rfind(b"\n", 0, room) + 1  # a file ends with a whole line...
                if cut == 0 and size == 0:
                    cut = room  # ...unless one line is longer than a whole file
                out.write(chunk[:cut])
                out.close()
                rotate(path, backups)
                out = open(path, "ab")  # noqa: SIM115
                chunk, size = chunk[cut:], 0
            out.write(chunk)
            out.flush()  # at once: whoever waits on a process reads its log for why it failed
            size += len(chunk)
    finally:
        out.close()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    path, max_bytes, backups = Path(argv[0]), int(argv[1]), int(argv[2])
    copy(sys.stdin.fileno(), path, max_bytes, backups)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

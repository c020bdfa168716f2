"""The local stack's mail server: a real SMTP server (aiosmtpd) that delivers nowhere and keeps every
message it is given as one `.eml` file in the stack's `mail/` folder, named so the folder lists in
the order they came. Read them with any mail client, or `cat`; tests read them the same way.

    python -m scripts.stack.mailcatcher FOLDER PORT
"""

import asyncio
import itertools
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scripts.stack.processes import Stack

SMTP_OFFSET = 25  # the catcher listens on the stack's base port + 25


def smtp_port(stack_base_port: int) -> int:
    return stack_base_port + SMTP_OFFSET


def mail_folder(stack: "Stack") -> Path:
    return stack.t.dir / "mail"


class KeepAsFiles:
    """aiosmtpd handler: every accepted message becomes FOLDER/<time>-<n>.eml, written whole then renamed,
    so a reader never sees half a message."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope) -> str:
        name = f"{time.time_ns()}-{next(self.numbers):06d}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, self.folder / name)
        return "250 Message accepted for delivery"


def start(stack: "Stack") -> None:
    """Start the stack's mail catcher unless it runs (a process of the stack, like Postgres)."""
    from scripts.stack.processes import VENV_PYTHON, _port_open, _wait

    if stack.pid_of("mailcatcher"):
        return
    port = smtp_port(stack.t.base_port)
    folder = mail_folder(stack)
    folder.mkdir(parents=True, exist_ok=True)
    proc = stack._spawn(
        "mailcatcher",
        [str(VENV_PYTHON), "-m", "scripts.stack.mailcatcher", str(folder), str(port)],
    )
    _wait("mailcatcher", lambda: _port_open(port), 30, proc, stack.log_path("mailcatcher"))


def notification_env(base_port: int, gateway_url: str) -> dict[str, str]:
    """How the notification service of a local stack reaches its catcher, and what links it mails."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port(base_port)),
        "SMTP_SECURITY": "none",
        "MAIL_PUBLIC_URL": gateway_url,
    }


async def serve(folder: Path, port: int) -> None:
    from aiosmtpd.controller import Controller  # only the catcher's own process needs the server

    controller = Controller(KeepAsFiles(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"mail catcher: SMTP on 127.0.0.1:{port}, keeping messages in {folder}", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    try:
        await stopped.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    Path(sys.argv[1]).mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(Path(sys.argv[1]), int(sys.argv[2])))

"""HTTP/1.1 over a bare socket: the request target goes out byte for byte as written.

httpx (like browsers) removes `..` segments before sending; an attacker's client does not, so a traversal
probe must not either.
"""

import asyncio
import contextlib
from dataclasses import dataclass


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


async def raw_request(
    host: str,
    port: int,
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    body_window: float = 2.0,
    max_bytes: int = 256 * 1024,
) -> RawResponse:
    """Send `target` unchanged; read the status and headers within `timeout`, then the body until the
    server closes, `max_bytes`, or `body_window` seconds pass (an endless stream is cut there)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        lines = [
            f"{method} {target} HTTP/1.1",
            f"Host: {host}:{port}",
            "Connection: close",
            "Accept: */*",
        ]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        response_headers = {}
        for line in header_lines:
            if ":" in line:
                name, _, value = line.partition(":")
                response_headers[name.strip().lower()] = value.strip()
        body = bytearray()
        with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            async with asyncio.timeout(body_window):
                while len(body) < max_bytes and (chunk := await reader.read(65536)):
                    body += chunk
        return RawResponse(status, response_headers, bytes(body))
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()

"""A container's healthcheck: `python -m shared.healthcheck [URL]` exits 0 when URL answers 200.

The images have Python and no curl. A module rather than `python -c "<code>"`, because podman's
Docker-compatible API splits a healthcheck argument that has spaces in it.
"""

import sys
import urllib.request

DEFAULT = "http://127.0.0.1:8000/readyz"  # ready: its database and its sidecar answer


def main(argv: list[str]) -> int:
    url = argv[0] if argv else DEFAULT
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The web client's modules as one script, so a first visit loads one file instead of two dozen.

The client stays plain ES modules with no build step: this bundle is made by the gateway, from the
files it serves, with esbuild (`scripts/web`, installed by `make install` from the npm registry), once
per version of the client, in memory. Where there is no esbuild (or it fails) the modules are served
one by one as before, so a clone that never installed it still works, only with more requests.
"""

import shutil
import subprocess
from pathlib import Path

import structlog

log = structlog.get_logger()

# what `make install` puts there (scripts/web/package.json pins the version)
INSTALLED = (
    Path(__file__).resolve().parents[2] / "scripts" / "web" / "node_modules" / ".bin" / "esbuild"
)
NONE = "none"
TIMEOUT_S = 30


def find_bundler(setting: str) -> Path | None:
    """esbuild as WEB_BUNDLER names it: a path, `none`, or empty for the installed one if any."""
    if setting == NONE:
        return None
    if setting:
        found = shutil.which(setting)
        return Path(found) if found else None
    return INSTALLED if INSTALLED.is_file() else None


def bundle(bundler: Path, entry: Path) -> bytes | None:
    """`entry` and everything it imports, as one ES module; None if esbuild fails (logged)."""
    try:
        done = subprocess.run(
            [str(bundler), str(entry), "--bundle", "--format=esm", "--log-level=error"],
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("web.bundle_failed", error=str(error))
        return None
    if done.returncode != 0:
        log.warning("web.bundle_failed", error=done.stderr.decode(errors="replace")[:2000])
        return None
    return done.stdout

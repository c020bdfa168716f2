"""Who may import whom: each service only itself and `shared/`; `shared/` no service. Read from the
source itself, so a new module is checked without being listed."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())


def imports_of(folder: Path) -> list[tuple[str, str]]:
    """(module file, imported module) for every import under `folder`."""
    found = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str):
    others = tuple(f"services.{s}" for s in SERVICES if s != service)
    crossing = [
        (f, m)
        for f, m in imports_of(ROOT / "services" / service)
        if m.startswith(others) or m == "services"
    ]
    assert crossing == []


def test_shared_imports_no_service():
    assert [
        (f, m)
        for f, m in imports_of(ROOT / "shared")
        if m.split(".")[0] in ("services", "scripts", "tests")
    ] == []

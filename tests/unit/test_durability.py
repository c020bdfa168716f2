"""Every Postgres giftflow starts acknowledges a commit only once it is on disk: the local stack, compose
and the laptop cluster say so out loud, and nothing anywhere turns it off. (The services also refuse a
server default of `synchronous_commit = off` on each connection: tests/integration/test_db_pool.py.)"""

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DURABLE = ["-c", "synchronous_commit=on", "-c", "fsync=on"]


def contains(args: list[str], part: list[str]) -> bool:
    return any(args[i : i + len(part)] == part for i in range(len(args)))


def test_the_local_stack_starts_postgres_with_durable_commits():
    tree = ast.parse((ROOT / "scripts/stack/processes.py").read_text())
    string_lists = [
        [e.value for e in node.elts if isinstance(e, ast.Constant)]
        for node in ast.walk(tree)
        if isinstance(node, ast.List)
    ]
    assert any(contains(args, DURABLE) for args in string_lists)


def test_compose_starts_postgres_with_durable_commits():
    postgres = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["postgres"]
    assert contains(postgres["command"], DURABLE)


def test_the_laptop_cluster_starts_postgres_with_durable_commits():
    docs = yaml.safe_load_all((ROOT / "k8s/overlays/local/postgres.yaml").read_text())
    statefulset = next(d for d in docs if d["kind"] == "StatefulSet")
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    assert contains(container["args"], DURABLE)


FILES = [
    p
    for p in ROOT.rglob("*")
    if p.suffix in {".py", ".yaml", ".yml", ".sh", ".toml", ".env", ".example"}
    and not {".stack", ".git", "tests"} & set(p.relative_to(ROOT).parts)
]


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_nothing_turns_durable_commits_off(path: Path):
    text = path.read_text(errors="ignore")
    assert not re.search(
        r"(synchronous_commit|fsync)\s*[=:]\s*['\"]?(off|false|0)\b", text, re.I
    ), path

"""The alert rules do what they say: promtool's unit tests (k8s/monitoring/tests/alerts.test.yaml) feed
each alert the series of its failure and of a near miss, and every alert has a case in which it fires."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.stack.prometheus import RULES, rule_groups

TESTS = RULES.parent / "tests" / "alerts.test.yaml"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool is not installed: `make install` installs it (Debian's prometheus package)",
)


def alert_names() -> set[str]:
    return {r["alert"] for group in rule_groups()["groups"] for r in group["rules"] if "alert" in r}


@pytest.fixture
def rule_tests(tmp_path: Path) -> Path:
    """The tests beside the rule file they name, written from the PrometheusRule."""
    (rule_file,) = yaml.safe_load(TESTS.read_text())["rule_files"]
    (tmp_path / rule_file).write_text(yaml.safe_dump(rule_groups(), sort_keys=False))
    return Path(shutil.copy(TESTS, tmp_path))


@needs_promtool
def test_the_rules_are_valid_for_prometheus(rule_tests: Path):
    (rule_file,) = yaml.safe_load(rule_tests.read_text())["rule_files"]
    checked = subprocess.run(
        [PROMTOOL, "check", "rules", rule_file],
        cwd=rule_tests.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_every_alert_passes_its_promtool_tests(rule_tests: Path):
    ran = subprocess.run(
        [PROMTOOL, "test", "rules", rule_tests.name],
        cwd=rule_tests.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_every_alert_has_a_case_in_which_it_fires():
    firing = {
        case["alertname"]
        for test in yaml.safe_load(TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert alert_names() - firing == set(), "add a case to k8s/monitoring/tests/alerts.test.yaml"

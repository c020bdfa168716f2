"""Every alert leads to what to do about it: its runbook_url is an entry of the README's runbook, and
the runbook's commands are ones the Makefile has."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
RULES = yaml.safe_load((ROOT / "k8s/monitoring/prometheusrule.yaml").read_text())
ALERTS = [r for g in RULES["spec"]["groups"] for r in g["rules"] if "alert" in r]


def anchors(markdown: str) -> set[str]:
    """The anchors a Markdown renderer gives headings: lower case, spaces to dashes, punctuation out."""
    return {
        re.sub(r"[^\w\- ]", "", title).strip().lower().replace(" ", "-")
        for title in re.findall(r"^#+ (.+)$", markdown, flags=re.M)
    }


def runbook() -> str:
    start = README.index("## Runbook")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def test_every_alert_has_a_runbook_entry_and_links_to_it():
    headings = anchors(runbook())
    for alert in ALERTS:
        url = alert["annotations"].get("runbook_url", "")
        assert url.endswith(f"README.md#{alert['alert'].lower()}"), alert["alert"]
        assert alert["alert"].lower() in headings, f"the runbook has no entry for {alert['alert']}"


def test_the_runbook_describes_no_alert_that_does_not_exist():
    described = set(re.findall(r"^#### (Giftflow\w+)$", runbook(), flags=re.M))
    assert described == {a["alert"] for a in ALERTS}


def test_the_runbook_names_only_make_targets_that_exist():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]+):", makefile, flags=re.M))
    named = set(re.findall(r"`make ([a-z][a-z-]+)", runbook()))
    assert named and named <= targets, named - targets

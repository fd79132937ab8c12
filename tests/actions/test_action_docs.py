"""actions/<name>/README.md is generated from action.yml (scripts/gen_action_docs.py) and never disagrees with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = sorted(p.parent.name for p in (ROOT / "actions").glob("*/action.yml"))


def test_generated_readmes_are_up_to_date():
    done = subprocess.run(
        [sys.executable, "scripts/gen_action_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", ACTIONS)
def test_every_input_and_output_is_documented(name):
    action = yaml.safe_load((ROOT / "actions" / name / "action.yml").read_text(encoding="utf-8"))
    readme = (ROOT / "actions" / name / "README.md").read_text(encoding="utf-8")
    for key in [*(action.get("inputs") or {}), *(action.get("outputs") or {})]:
        assert f"| `{key}` |" in readme, f"{name}: {key} missing from its README"
    for heading in (
        "## Minimal workflow",
        "## Inputs",
        "## Outputs",
        "## Permissions",
        "## Secrets and variables",
        "## First run",
    ):
        assert heading in readme, (name, heading)
    assert f"OWNER/labeler/actions/{name}@v1" in readme


@pytest.mark.parametrize("name", ACTIONS)
def test_every_input_reaches_the_command(name):
    """An input that is never passed to a step is a setting that silently does nothing."""
    action_text = (ROOT / "actions" / name / "action.yml").read_text(encoding="utf-8")
    action = yaml.safe_load(action_text)
    for key in action.get("inputs") or {}:
        assert f"inputs.{key}" in action_text.split("runs:", 1)[1], f"{name}: input {key} is never used"


def test_the_readme_links_every_reference_and_says_sync_labels_first():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ACTIONS:
        assert f"actions/{name}/README.md" in readme, name
    first_run = readme.split("## First run", 1)[1].split("\n## ", 1)[0]
    assert "sync-labels" in first_run


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_has_a_drop_in_workflow(name):
    """Every composite action is used by a workflow in .github/workflows (its drop-in)."""
    workflows = "".join(p.read_text(encoding="utf-8") for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert f"uses: ./actions/{name}\n" in workflows


def test_no_workflow_runs_the_setup_script_directly():
    """A consumer repository has no actions/setup.sh: workflows go through the composite actions."""
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        assert "actions/setup.sh" not in path.read_text(encoding="utf-8"), path.name

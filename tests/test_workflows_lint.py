"""The actions and workflows pass the linters CI would run: schema checks and zizmor."""
import glob
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted(glob.glob(str(ROOT / ".github/workflows/*.yml")))
ACTIONS = sorted(glob.glob(str(ROOT / "actions/*/action.yml"))) + [str(ROOT / "action.yml")]
BIN = Path(sys.executable).parent


def tool(name):
    path = BIN / name
    if not path.exists() and not shutil.which(name):
        pytest.skip(f"{name} not installed")
    return str(path if path.exists() else shutil.which(name))


def test_workflows_match_the_schema():
    subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *WORKFLOWS], check=True)


def test_actions_match_the_schema():
    subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", *ACTIONS], check=True)


def test_zizmor_finds_nothing():
    done = subprocess.run([tool("zizmor"), "--offline", "--quiet", str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS)
def test_no_expression_inside_run_and_permissions_declared(path):
    doc = yaml.safe_load(Path(path).read_text())
    runs = [step["run"] for step in _steps(doc) if "run" in step]
    assert not [r for r in runs if "${{" in r], f"{path}: ${{{{ }}}} inside run:"
    if "/workflows/" in path:
        assert "permissions" in doc, f"{path}: no top-level permissions"


def _steps(doc):
    if "runs" in doc:
        yield from doc["runs"].get("steps", [])
    for job in (doc.get("jobs") or {}).values():
        yield from job.get("steps", [])


def test_third_party_actions_are_hash_pinned():
    for path in WORKFLOWS + ACTIONS:
        for uses in re.findall(r"^\s*-?\s*uses:\s*([^\s#]+)", Path(path).read_text(), re.M):
            if not uses.startswith("./"):
                assert re.search(r"@[0-9a-f]{40}$", uses), f"{path}: {uses} is not pinned to a commit"

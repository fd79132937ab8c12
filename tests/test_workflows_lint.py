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


# ---------------------------------------------------------------------------------- tokens, concurrency
def _workflow(name):
    return yaml.safe_load((ROOT / ".github/workflows" / name).read_text(encoding="utf-8"))


def test_org_token_only_reaches_comment_runs():
    """A pull_request_target run of the router must not hold LABELER_ORG_TOKEN."""
    flow = (ROOT / ".github/workflows/taxonomy-bot.yml").read_text(encoding="utf-8")
    uses = [line.strip() for line in flow.splitlines() if "secrets.LABELER_ORG_TOKEN" in line]
    assert uses == ["org-token: ${{ github.event_name == 'issue_comment' && secrets.LABELER_ORG_TOKEN || '' }}"]


@pytest.mark.parametrize("name, per_comment_jobs", [("taxonomy-bot.yml", ["route"]), ("issue-labeler.yml", ["label"])])
def test_no_command_is_cancelled_by_a_shared_group(name, per_comment_jobs):
    """No workflow-level group (skipped runs would queue there and cancel pending commands); the
    jobs that answer comments key their group on the comment id."""
    flow = _workflow(name)
    assert "concurrency" not in flow
    for job_name, job in flow["jobs"].items():
        group = job["concurrency"]["group"]
        assert job["concurrency"]["cancel-in-progress"] is False
        if job_name in per_comment_jobs:
            assert "github.event.comment.id" in group, job_name


CHECKS = {"labeler backport-report --check-cache", "labeler history check", "labeler label-issue --check-cache"}


@pytest.mark.parametrize("path", WORKFLOWS)
def test_caches_are_saved_only_after_a_check_and_restores_never_block(path):
    """A bad cache file is moved aside by a check step before the save step, and the save
    step runs only when that check ran (so an unchecked file is never stored under a new key); a failed
    restore is a warning, never a failed run. The model directory is saved only when every step passed
    (`model eval` loaded it and met the gate)."""
    doc = yaml.safe_load(Path(path).read_text())
    for job in (doc.get("jobs") or {}).values():
        steps = job.get("steps", [])
        checks = {
            s["id"]: s
            for s in steps
            if "id" in s and (any(c in s.get("run", "") for c in CHECKS) or s.get("uses") == "./actions/check-cache")
        }
        for step in steps:
            uses = step.get("uses", "")
            if "actions/cache/restore@" in uses:
                assert step.get("continue-on-error") is True, f"{path}: {step.get('name')}: restore can block the run"
            if "actions/cache/save@" not in uses:
                continue
            cond = str(step.get("if", ""))
            if step["with"]["path"].endswith("/model"):
                assert "always()" not in cond, f"{path}: the model is saved although a step failed"
                continue
            ids = [i for i in checks if f"steps.{i}.outcome == 'success'" in cond]
            assert ids, f"{path}: {step.get('name')} saves a cache no check step validated"
            check = checks[ids[0]]
            assert "always()" in str(check.get("if", "")), f"{path}: {check['id']} is skipped when a step failed"
            checked = set((check.get("env") or {}).values()) | set((check.get("with") or {}).values())
            assert step["with"]["path"] in checked, (
                f"{path}: {check['id']} checks another file than {step.get('name')} saves"
            )
            assert f"hashFiles('{step['with']['path']}')" in cond

"""model-retrain.yml + actions/model-train under act (host mode) against FakeGitHub, offline.

actions/cache/{restore,save} and actions/upload-artifact are local stubs that print what they got.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from labeler.classifier import synthetic

pytestmark = pytest.mark.act
WORKFLOW = ".github/workflows/model-retrain.yml"
CACHE = "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684"
ARTIFACT = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"
STUB = """\
name: stub
description: prints its inputs
inputs:
  path: {description: x, required: false, default: ""}
  key: {description: x, required: false, default: ""}
  restore-keys: {description: x, required: false, default: ""}
  name: {description: x, required: false, default: ""}
  if-no-files-found: {description: x, required: false, default: ""}
  retention-days: {description: x, required: false, default: ""}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        STUB_PATH: ${{ inputs.path }}
        STUB_KEY: ${{ inputs.key }}
      run: |
        echo "stub %s path=$STUB_PATH key=$STUB_KEY exists=$(test -e "$STUB_PATH" && echo yes || echo no)"
"""


def stubs(root: Path) -> dict[str, Path]:
    for sub in ("restore", "save"):
        (root / "cache" / sub).mkdir(parents=True)
        (root / "cache" / sub / "action.yml").write_text(STUB % f"cache-{sub}")
    (root / "artifact").mkdir()
    (root / "artifact" / "action.yml").write_text(STUB % "upload-artifact")
    return {CACHE: root / "cache", ARTIFACT: root / "artifact"}


def test_every_remote_action_is_stubbed(tmp_path):
    text = (Path(__file__).resolve().parents[1] / WORKFLOW).read_text()
    used = {re.sub(r"^(actions/[\w-]+)(/[\w-]+)?@", r"\1@", m) for m in re.findall(r"uses:\s*(actions/[\w./-]+@[0-9a-f]{40})", text)}
    assert used <= set(stubs(tmp_path)) | {"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
                                           "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065"}


def seed(fake, noise):
    for n, e in enumerate(synthetic.corpus(30, noise=noise, seed=5), 1):
        fake.add_issue(n, e.title, e.body, labels=list(e.labels), state="closed",
                       created_at=f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z")
    fake.add_pr(200, title="A pull request")


def dispatch(run_act, act_repo, tmp_path, fake, variables=None):
    event = tmp_path / "dispatch.json"
    event.write_text(json.dumps({"inputs": {}}))
    return run_act("workflow_dispatch", event, WORKFLOW, act_repo, local_repositories=stubs(tmp_path / "stubs"),
                   variables=variables or {},
                   env={"GITHUB_REPOSITORY": "acme/widgets", "GITHUB_API_URL": fake.url, "LABELER_GITHUB_PACE": "0"})


def test_weekly_retrain_trains_evaluates_and_saves(run_act, act_repo, tmp_path, fake_github):
    seed(fake_github, noise=0.2)
    result = dispatch(run_act, act_repo, tmp_path, fake_github)
    log = result.log()
    assert result.job_results == {"retrain": "success"}, log        # keep-alive: skipped (not its schedule)
    assert "stub cache-restore path=.labeler/history.sqlite key=labeler-history-" in log
    assert re.search(r"stub cache-save path=\.labeler/history\.sqlite key=labeler-history-\d+ exists=yes", log)
    assert re.search(r"stub cache-save path=\.labeler/model key=labeler-model-\d+ exists=yes", log)
    assert float(result.outputs["macro-f1"]) > 0.5
    assert any("Offline model evaluation" in s for s in result.summaries)
    listed = [r for r in fake_github.requests if r.path == "/repos/acme/widgets/issues"]
    assert listed and all(r.method == "GET" for r in listed)
    assert fake_github.writes() == []


def test_failed_gate_keeps_the_old_model(run_act, act_repo, tmp_path, fake_github):
    seed(fake_github, noise=0.6)
    result = dispatch(run_act, act_repo, tmp_path, fake_github, variables={"LABELER_MIN_MACRO_F1": "0.99"})
    log = result.log()
    assert result.job_results == {"retrain": "failure"}, log
    assert "is below --min-macro-f1 0.99" in log
    assert "stub cache-save path=.labeler/model" not in log
    assert re.search(r"stub cache-save path=\.labeler/history\.sqlite key=labeler-history-\d+ exists=yes", log)

"""model-retrain.yml + actions/model-train under act (host mode) against FakeGitHub, offline.

actions/cache/{restore,save} and actions/upload-artifact are local stubs that print what they got.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from act.harness import stub_remote_actions
from labeler.model import synthetic

pytestmark = pytest.mark.act
WORKFLOW = ".github/workflows/model-retrain.yml"


def stubs(root: Path) -> dict[str, Path]:
    return stub_remote_actions(Path(__file__).resolve().parents[2] / WORKFLOW, root)


def seed(fake, noise):
    for n, e in enumerate(synthetic.corpus(30, noise=noise, seed=5), 1):
        fake.add_issue(
            n,
            e.title,
            e.body,
            labels=list(e.labels),
            state="closed",
            created_at=f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
        )
    fake.add_pr(200, title="A pull request")


def dispatch(run_act, act_repo, tmp_path, fake, variables=None):
    event = tmp_path / "dispatch.json"
    event.write_text(json.dumps({"inputs": {}}))
    return run_act(
        "workflow_dispatch",
        event,
        WORKFLOW,
        act_repo,
        local_repositories=stubs(tmp_path / "stubs"),
        variables=variables or {},
        env={"GITHUB_REPOSITORY": "acme/widgets", "GITHUB_API_URL": fake.url, "LABELER_GITHUB_PACE": "0"},
    )


def test_weekly_retrain_trains_evaluates_and_saves(run_act, act_repo, tmp_path, fake_github):
    seed(fake_github, noise=0.2)
    result = dispatch(run_act, act_repo, tmp_path, fake_github)
    log = result.log()
    assert result.job_results == {"retrain": "success"}, log  # keep-alive: skipped (not its schedule)
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
    assert (
        "is below 0.99, the minimum set by the `min-macro-f1` input (repository variable `LABELER_MIN_MACRO_F1`"
        in result.transcript()
    )
    assert "stub cache-save path=.labeler/model" not in log
    assert re.search(r"stub cache-save path=\.labeler/history\.sqlite key=labeler-history-\d+ exists=yes", log)

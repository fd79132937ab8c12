"""The drop-in workflow and the composite action, run for real under act (host mode), offline.

actions/checkout is skipped by act (the work tree is used as is); actions/cache and
actions/upload-artifact are replaced by local stubs that record what they were given.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from act.harness import stub_remote_actions
from backport_report.helpers import build_repo

pytestmark = pytest.mark.act
WORKFLOW = ".github/workflows/backport-nightly.yml"


def stubs(root: Path) -> dict[str, Path]:
    return stub_remote_actions(Path(__file__).resolve().parents[2] / WORKFLOW, root)


def make_history(repo: Path, tmp_path: Path) -> None:
    """The project copy gets a dev range and a stable branch, like a real project's checkout."""
    history = build_repo(tmp_path / "history")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(
        ["git", "-C", str(repo), "fetch", "-q", str(history.path), "master:dev", "2.8:2.8", "--tags"],
        check=True,
        env=env,
    )
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "merge",
            "-q",
            "--allow-unrelated-histories",
            "-m",
            "Merge the dev history",
            "dev",
        ],
        check=True,
        env=env,
    )


def test_nightly_workflow_dispatch_builds_the_page(run_act, act_repo, tmp_path):
    make_history(act_repo, tmp_path)
    event = tmp_path / "dispatch.json"
    event.write_text(json.dumps({"inputs": {"since": ""}}))
    result = run_act(
        "workflow_dispatch",
        event,
        WORKFLOW,
        act_repo,
        local_repositories=stubs(tmp_path / "stubs"),
        variables={"BACKPORT_STABLE": "2.8", "BACKPORT_SINCE": "v2.9-dev0"},
        env={"GITHUB_REPOSITORY": "acme/widgets"},
    )
    assert result.job_results == {"report": "success"}, result.log()  # pages: skipped (not a schedule)
    log = result.log()
    assert "stub cache-restore path=.labeler/backport-cache.json key=backport-verdicts-" in log
    assert re.search(r"stub upload-artifact path=backport-report/ key= exists=yes", log)
    # rules provider: the cache holds the apply check (by stable head and pick list), so it is saved
    assert re.search(r"stub cache-save path=\.labeler/backport-cache\.json key=backport-verdicts-\d+ exists=yes", log)
    assert (
        result.outputs.get("wait") == "1"  # ready, but a wait stays for the reviewer to pick
        and result.outputs.get("yes") == "0"
        and result.outputs.get("html") == "backport-report/index.html"
    )
    assert any("### Backport review: v2.9-dev0..HEAD" in s for s in result.summaries)


def test_nightly_with_a_model_saves_the_cache(run_act, act_repo, tmp_path, fake_llm):
    make_history(act_repo, tmp_path)
    fake_llm.default = "Explanation: it asks for it.\nConclusion: yes"
    event = tmp_path / "dispatch.json"
    event.write_text(json.dumps({"inputs": {}}))
    result = run_act(
        "workflow_dispatch",
        event,
        WORKFLOW,
        act_repo,
        local_repositories=stubs(tmp_path / "stubs"),
        variables={"BACKPORT_STABLE": "2.8", "BACKPORT_PROVIDER": "anthropic", "LABELER_MODEL": "fake-model"},
        env={"GITHUB_REPOSITORY": "acme/widgets", "ANTHROPIC_BASE_URL": fake_llm.anthropic_url},
        secrets={"ANTHROPIC_API_KEY": "sk-ant-fake-0123456789abcdef"},
    )
    assert result.job_results == {"report": "success"}, result.log()
    assert re.search(
        r"stub cache-save path=\.labeler/backport-cache\.json key=backport-verdicts-\d+ exists=yes", result.log()
    )
    assert len(fake_llm.requests) == 10  # 9 dev commits + the snapshot, merges skipped
    assert result.outputs.get("yes") == "6"  # 4 of the 10 yes are already backported

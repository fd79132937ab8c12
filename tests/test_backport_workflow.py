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

from test_backport_support import build_repo

pytestmark = pytest.mark.act
WORKFLOW = ".github/workflows/backport-nightly.yml"
CACHE_SHA = "5a3ec84eff668545956fd18022155c47e93e2684"
ARTIFACT_SHA = "ea165f8d65b6e75b540449e92b4886f43607fa02"
PAGES_ARTIFACT_SHA = "56afc609e74202658d3ffba0e8f6dda462b719fa"
DEPLOY_PAGES_SHA = "d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e"
STUB = """\
name: stub
description: records its inputs
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
    """Every remote action of the workflow (act fetches them all up front, even skipped ones)."""
    cache = root / "cache"
    for sub in ("restore", "save"):
        (cache / sub).mkdir(parents=True)
        (cache / sub / "action.yml").write_text(STUB % f"cache-{sub}")
    mapping = {f"actions/cache@{CACHE_SHA}": cache}
    for name, sha in (("upload-artifact", ARTIFACT_SHA), ("upload-pages-artifact", PAGES_ARTIFACT_SHA),
                      ("deploy-pages", DEPLOY_PAGES_SHA)):
        (root / name).mkdir()
        (root / name / "action.yml").write_text(STUB % name)
        mapping[f"actions/{name}@{sha}"] = root / name
    return mapping


def test_every_remote_action_of_the_workflow_is_stubbed(tmp_path):
    text = (Path(__file__).resolve().parents[1] / WORKFLOW).read_text()
    used = {m.split("/")[0] + "/" + m.split("/")[1].split("@")[0] + "@" + m.split("@")[1]
            for m in re.findall(r"uses:\s*(actions/[\w./-]+@[0-9a-f]{40})", text)}
    mapped = set(stubs(tmp_path)) | {"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
                                     "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065"}
    assert used <= mapped


def make_history(repo: Path, tmp_path: Path) -> None:
    """The project copy gets a dev range and a stable branch, like a real project's checkout."""
    history = build_repo(tmp_path / "history")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "-C", str(repo), "fetch", "-q", str(history.path), "master:dev", "2.8:2.8", "--tags"],
                   check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org", "merge", "-q",
                    "--allow-unrelated-histories", "-m", "Merge the dev history", "dev"], check=True, env=env)


def test_nightly_workflow_dispatch_builds_the_page(run_act, act_repo, tmp_path):
    make_history(act_repo, tmp_path)
    event = tmp_path / "dispatch.json"
    event.write_text(json.dumps({"inputs": {"since": ""}}))
    result = run_act("workflow_dispatch", event, WORKFLOW, act_repo, local_repositories=stubs(tmp_path / "stubs"),
                     variables={"BACKPORT_STABLE": "2.8", "BACKPORT_SINCE": "v2.9-dev0"},
                     env={"GITHUB_REPOSITORY": "acme/widgets"})
    assert result.job_results == {"report": "success"}, result.log()      # pages: skipped (not a schedule)
    log = result.log()
    assert "stub cache-restore path=.labeler/backport-cache.json key=backport-verdicts-" in log
    assert re.search(r"stub upload-artifact path=backport-report/ key= exists=yes", log)
    assert "stub cache-save" not in log           # rules provider: no cache file, nothing to save
    assert result.outputs.get("wait") == "1" and result.outputs.get("html") == "backport-report/index.html"
    assert any("### Backport review: v2.9-dev0..HEAD" in s for s in result.summaries)


def test_nightly_with_a_model_saves_the_cache(run_act, act_repo, tmp_path, fake_llm):
    make_history(act_repo, tmp_path)
    fake_llm.default = "Explanation: it asks for it.\nConclusion: yes"
    event = tmp_path / "dispatch.json"
    event.write_text(json.dumps({"inputs": {}}))
    result = run_act("workflow_dispatch", event, WORKFLOW, act_repo, local_repositories=stubs(tmp_path / "stubs"),
                     variables={"BACKPORT_STABLE": "2.8", "BACKPORT_PROVIDER": "anthropic",
                                "LABELER_MODEL": "fake-model"},
                     env={"GITHUB_REPOSITORY": "acme/widgets", "ANTHROPIC_BASE_URL": fake_llm.anthropic_url},
                     secrets={"ANTHROPIC_API_KEY": "sk-ant-fake-0123456789abcdef"})
    assert result.job_results == {"report": "success"}, result.log()
    assert re.search(r"stub cache-save path=\.labeler/backport-cache\.json key=backport-verdicts-\d+ exists=yes",
                     result.log())
    assert len(fake_llm.requests) == 10                  # 9 dev commits + the snapshot, merges skipped
    assert result.outputs.get("yes") == "6"              # 4 of the 10 yes are already backported

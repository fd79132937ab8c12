"""A consumer repository: `acme/widgets` holding only what the docs tell a user to add, running the drop-ins
through `acme-tools/labeler@v1`, which act maps onto a clean export of this project (`git archive HEAD`:
committed files only, so commit before running these tests).

What the README's "Use it in your repository" says, and nothing more:
1. copy a drop-in workflow from .github/workflows/ and replace `uses: ./actions/<name>` with
   `uses: OWNER/labeler/actions/<name>@v1` (OWNER = acme-tools here);
2. copy labels.yml to .github/labels.yml.

    repo = consumer("issue-labeler.yml")      # -> a git repo with .github/workflows/issue-labeler.yml + labels.yml
    result = run_consumer(repo, "issues", event, "issue-labeler.yml", env=..., variables=...)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from act.harness import PROJECT, init_repo, run_act, stub_remote_actions

OWNER = "acme-tools"
LOCAL_USES = re.compile(r"uses: \./actions/([\w-]+)")


@pytest.fixture(scope="session")
def labeler_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`git archive HEAD` of this project: what a tag of acme-tools/labeler would hold."""
    dest = tmp_path_factory.mktemp("labeler-export")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=PROJECT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def as_consumer(text: str) -> str:
    """The documented rewrite of a drop-in workflow for another repository."""
    return LOCAL_USES.sub(lambda m: f"uses: {OWNER}/labeler/actions/{m.group(1)}@v1", text)


@pytest.fixture
def consumer(labeler_export: Path, tmp_path: Path) -> Callable[..., Path]:
    def build(*workflows: str, labels: str | None = None, files: dict[str, str] | None = None) -> Path:
        repo = tmp_path / "widgets"
        (repo / ".github" / "workflows").mkdir(parents=True)
        for name in workflows:
            text = (labeler_export / ".github" / "workflows" / name).read_text(encoding="utf-8")
            (repo / ".github" / "workflows" / name).write_text(as_consumer(text), encoding="utf-8")
        (repo / ".github" / "labels.yml").write_text(
            labels if labels is not None else (labeler_export / "labels.yml").read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        (repo / "README.md").write_text("# widgets\n", encoding="utf-8")
        for rel, text in (files or {}).items():  # the user's own files (e.g. benchmark results)
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(text, encoding="utf-8")
        return init_repo(repo)

    return build


SEEDING_RESTORE = """\
name: cache-restore (offline stub with a seeded cache)
description: "Stands in for actions/cache/restore under act: copies STUB_CACHE_DIR/<path> into the workspace"
inputs:
  path: {description: "path", required: false, default: ""}
  key: {description: "key", required: false, default: ""}
  restore-keys: {description: "restore-keys", required: false, default: ""}
  fail-on-cache-miss: {description: "ignored", required: false, default: ""}
outputs:
  cache-hit: {description: "true when seeded", value: "${{ steps.restore.outputs.cache-hit }}"}
runs:
  using: composite
  steps:
    - id: restore
      shell: bash
      env:
        STUB_PATH: ${{ inputs.path }}
      run: |
        if [ -n "${STUB_CACHE_DIR:-}" ] && [ -e "$STUB_CACHE_DIR/$STUB_PATH" ]; then
          mkdir -p "$(dirname "$STUB_PATH")" && cp "$STUB_CACHE_DIR/$STUB_PATH" "$STUB_PATH"
          echo "stub cache-restore path=$STUB_PATH restored"; echo "cache-hit=true" >> "$GITHUB_OUTPUT"
        else
          echo "stub cache-restore path=$STUB_PATH miss"; echo "cache-hit=false" >> "$GITHUB_OUTPUT"
        fi
"""


PERSISTENT_RESTORE = """\
name: cache-restore (offline stub over a folder)
description: "Stands in for actions/cache/restore under act: copies STUB_CACHE_DIR/<path> (file or folder) back"
inputs:
  path: {description: "path", required: false, default: ""}
  key: {description: "key", required: false, default: ""}
  restore-keys: {description: "restore-keys", required: false, default: ""}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        STUB_PATH: ${{ inputs.path }}
      run: |
        if [ -e "$STUB_CACHE_DIR/$STUB_PATH" ]; then
          mkdir -p "$(dirname "$STUB_PATH")" && cp -R "$STUB_CACHE_DIR/$STUB_PATH" "$STUB_PATH"
          echo "stub cache-restore path=$STUB_PATH restored"
        else
          echo "stub cache-restore path=$STUB_PATH miss"
        fi
"""
PERSISTENT_SAVE = """\
name: cache-save (offline stub over a folder)
description: "Stands in for actions/cache/save under act: copies <path> (file or folder) to STUB_CACHE_DIR"
inputs:
  path: {description: "path", required: false, default: ""}
  key: {description: "key", required: false, default: ""}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        STUB_PATH: ${{ inputs.path }}
        STUB_KEY: ${{ inputs.key }}
      run: |
        rm -rf "${STUB_CACHE_DIR:?}/$STUB_PATH" && mkdir -p "$(dirname "$STUB_CACHE_DIR/$STUB_PATH")"
        cp -R "$STUB_PATH" "$STUB_CACHE_DIR/$STUB_PATH"
        echo "stub cache-save path=$STUB_PATH key=$STUB_KEY saved"
"""


def persist_cache(stubs: dict[str, Path], cache_dir: Path) -> dict[str, str]:
    """actions/cache/restore and /save stubs that keep what a run saves in `cache_dir` for the next run."""
    for ref, base in stubs.items():
        if ref.startswith("actions/cache@"):
            for sub, text in (("restore", PERSISTENT_RESTORE), ("save", PERSISTENT_SAVE)):
                if (base / sub).is_dir():
                    (base / sub / "action.yml").write_text(text, encoding="utf-8")
    cache_dir.mkdir(parents=True, exist_ok=True)
    return {"STUB_CACHE_DIR": str(cache_dir)}


@pytest.fixture
def run_consumer(act_venv: Path, labeler_export: Path, tmp_path: Path) -> Callable[..., Any]:
    def run(
        repo: Path,
        event_name: str,
        event_file: Path,
        workflow: str,
        *,
        cache: dict[str, Path] | None = None,
        cache_dir: Path | None = None,
        **kw: Any,
    ) -> Any:
        """`cache`: workspace path -> file that `actions/cache/restore` restores (else every restore misses).
        `cache_dir`: a folder standing in for the Actions cache across runs (cache/save writes, cache/restore reads)."""
        path = repo / ".github" / "workflows" / workflow
        stubs = {
            ref: p
            for ref, p in stub_remote_actions(path, tmp_path / "stubs").items()
            if not ref.startswith(f"{OWNER}/labeler@")
        }
        if cache:
            seeded = tmp_path / "seeded-cache"
            for rel, src in cache.items():
                (seeded / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(src, seeded / rel)
            for ref, base in stubs.items():
                if ref.startswith("actions/cache@") and (base / "restore").is_dir():
                    (base / "restore" / "action.yml").write_text(SEEDING_RESTORE, encoding="utf-8")
            kw["env"] = {**(kw.get("env") or {}), "STUB_CACHE_DIR": str(seeded)}
        if cache_dir is not None:
            kw["env"] = {**(kw.get("env") or {}), **persist_cache(stubs, cache_dir)}
        mapping = stubs | {f"{OWNER}/labeler@v1": labeler_export}
        return run_act(event_name, event_file, path, repo, tmp_path, venv=act_venv, local_repositories=mapping, **kw)

    return run

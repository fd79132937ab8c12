"""The README's first command block shows the default deciding on its example issue, offline: run its labeler
command as written (the model directory moved into tmp_path) and check the decision and its provenance."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parents[2]


def demo_command() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)
    last = block.replace("\\\n", " ").split("&&")[-1]
    argv = shlex.split(last)
    assert argv[0] == ".venv/bin/labeler" and argv[1] == "label-issue", argv
    return argv[1:]


def test_the_readme_demo_decides_with_a_learned_model_offline(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}  # no token, no key
    env["LABELER_MODEL_PATH"] = str(tmp_path / "model")
    run = [sys.executable, "-m", "labeler", *demo_command()]
    first = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "**labeler** would apply `bug`" in first.stdout and "needs-triage" not in first.stdout
    assert "**Where the confidence comes from:** learned from 125 labeled issues of `history.jsonl`" in first.stdout
    assert "measured precision" in first.stdout and "learning the repository's labels" in first.stderr
    again = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert "would apply `bug`" in again.stdout and "learning" not in again.stderr  # reused, not learned again

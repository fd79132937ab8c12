"""One version: labeler.__version__ is what `labeler --version` prints, what pyproject reads, and what the
release workflow tags; CHANGELOG.md has its section; docs pin @v1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import labeler
from labeler.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_version_flag_prints_the_version_source(capsys):
    try:
        main(["--version"])
    except SystemExit as e:
        assert e.code in (0, None)
    assert capsys.readouterr().out.strip() == f"labeler, version {labeler.__version__}"


def test_pyproject_reads_the_version_source():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and 'version = {attr = "labeler.__version__"}' in text


def test_release_check_accepts_the_current_version_and_refuses_another(tmp_path):
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    ok = subprocess.run(
        ["bash", "scripts/release.sh", "check"],
        cwd=ROOT,
        env=env | {"VERSION": labeler.__version__},
        capture_output=True,
        text=True,
    )
    # the tag may exist in a real clone once released; the version and changelog checks come first
    assert ok.returncode == 0 or "exists already" in ok.stdout, ok.stdout + ok.stderr
    bad = subprocess.run(
        ["bash", "scripts/release.sh", "check"],
        cwd=ROOT,
        env=env | {"VERSION": "9.9.9"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "not 9.9.9" in bad.stdout


def test_docs_pin_the_major_tag_not_a_commit():
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / ".github/workflows").glob("*.yml")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"OWNER/labeler/actions/[\w<>-]+@<", text), path
    assert "@v1" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert os.path.exists(ROOT / ".github/workflows/release.yml")

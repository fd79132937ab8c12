"""The layout's guard rails: ruff, mypy and import-linter run clean (configured in pyproject.toml).

CLI -> features -> shared helpers -> edges is an import-linter layers contract; cores never import
an edge; no import cycles. A failure names the file and line to fix.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / cmd[0]), *cmd[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    done = run("ruff", "check", "--no-cache", "src", "tests", "benchmarks", "scripts", "actions")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing():
    done = run("mypy", "--no-incremental", "--cache-dir", "/dev/null")
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_contracts_are_kept():
    done = run("lint-imports", "--no-cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("package", ["label_issue", "taxonomy_bot", "publish_benchmarks", "backport_report", "history",
                                     "dataset", "model", "missing_info", "monitor"])
def test_every_feature_package_has_its_tests(package):
    assert (ROOT / "src/labeler" / package).is_dir() and any((ROOT / "tests" / package).glob("test_*.py"))


FAMILIES = {"bot": "taxonomy_bot", "enable": "taxonomy_bot", "precheck": "taxonomy_bot", "postcheck": "taxonomy_bot",
            "generate": "taxonomy_bot"}


def test_every_command_name_maps_to_its_package():
    from labeler.cli import COMMANDS

    for name, (module, _) in COMMANDS.items():
        snake = name.replace("-", "_")
        family = FAMILIES.get(name)
        expected = f"labeler.{family}.{snake}" if family else f"labeler.{snake}"
        assert module in (expected, f"{expected}.command"), (name, module)

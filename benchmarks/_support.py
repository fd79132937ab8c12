"""Shared helpers for the benchmark scripts (not a benchmark itself).

    from _support import setup   # at the top of benchmarks/<name>.py, before any project import
    setup("yaml", "github")      # src/ and tests/ on sys.path; re-run under the project's venv if needed

`python benchmarks/<name>.py` then works with any python3: when a module the benchmark needs is
missing, the script re-runs itself with the project's interpreter (LABELER_BENCH_PYTHON, else
.venv/bin/python, made by `bash scripts/test.sh`), or exits 2 saying exactly what to run.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package
        return False


def setup(*modules: str) -> None:
    for sub in ("src", "tests"):
        if str(ROOT / sub) not in sys.path:
            sys.path.insert(0, str(ROOT / sub))
    missing = [m for m in modules if not _importable(m)]
    if not missing:
        return
    candidates = [os.environ.get("LABELER_BENCH_PYTHON", ""), str(ROOT / ".venv" / "bin" / "python")]
    for python in filter(None, candidates):
        if Path(python).exists() and Path(python).resolve() != Path(sys.executable).resolve():
            os.execv(python, [python, *sys.argv])
    script = Path(sys.argv[0]).name
    print(
        f"{script} needs {', '.join(missing)}: run `bash scripts/test.sh` once (it makes .venv), then "
        f"`python3 benchmarks/{script}`, or set LABELER_BENCH_PYTHON to a Python that has labeler's "
        "dependencies",
        file=sys.stderr,
    )
    sys.exit(2)

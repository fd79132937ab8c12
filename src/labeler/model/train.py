"""Train the offline classifier and save a model directory.

The model is saved as arrays and JSON, never a pickle (store.py has the format).

The model: TF-IDF (features.py) [+ sentence embeddings] -> logistic regression, pooled across
repositories and per repository (linear.py). The vectorizers are fitted once on all training
texts; cross-validation refits only the weights, which keeps training fast.

Single-label models then calibrate the top label instead (calibrate.fit_top, chosen by
cross-validation): confidence = estimated precision of applying top labels at least this sure, and
the label is applied when that reaches `target_precision`.

Thresholds come from held-out scores: the --val file when given (the model is then refit on
train+val), else out-of-fold scores from k-fold cross-validation on the training data. Each
label's threshold is the lowest score whose applied set reached `target_precision` there; a
label that never reaches it gets no threshold (math.inf) and is never applied automatically.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, NamedTuple

from labeler import __version__
from labeler.errors import UserError, setting
from labeler.examples import Example
from labeler.model import calibrate, features, linear

FORMAT = "labeler-model"
FORMAT_VERSION = 2
MIN_ISSUES = 10
C_GRID = (1.0, 3.0, 10.0, 30.0)


@dataclass(frozen=True)
class Params:
    C: float | None = 10.0  # None: pick from C_GRID by cross-validated macro F1
    class_weight: str | None = "balanced"
    target_precision: float = 0.9
    min_examples: int = 2
    min_support: int = calibrate.MIN_SUPPORT
    features: tuple[str, ...] = features.DEFAULT_KINDS
    per_group: bool = True  # data from several repositories: a model per repository besides the pooled one
    pool_weight: float = 0.5  # the pooled model's share where an issue's own repository has a model
    embed_weight: float = 1.0  # scale of the sentence-embedding columns against the TF-IDF blocks
    nb_weight: float = 0.5  # single-label: share of the NB-weighted model in the logits (linear._single)
    label_text: int = 3  # multi-label: each label's name as this many extra training texts (0: off)
    top_calibration: bool = True  # single-label: calibrate the top label (calibrate.fit_top), else per-label cut-offs
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
        return [replace(e, labels=tuple(x for x in e.labels if x in keep)) for e in rows]

    tr, va = strip(train), strip(val)
    if len(tr) < MIN_ISSUES:
        raise UserError(f"need at least {MIN_ISSUES} training issues, got {len(tr)}")
    if not labels:
        raise UserError(
            f"no label has {min_examples} or more training issues (lower {setting('--min-examples', 'min-examples')}?)"
        )
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


def group_of(e: Example) -> str | None:
    """The repository an issue belongs to (`repo` field, else `source`), for per-group models."""
    repo = e.extra.get("repo")
    return repo if isinstance(repo, str) and repo else (e.source or None)


def decide(p: Any, mode: str) -> Any:
    """Uncalibrated decisions for F1: the top label (single-label data) or every p >= 0.5."""
    import numpy as np

    if mode == "single":
        out = np.zeros_like(p, dtype=np.int8)
        out[np.arange(len(p)), p.argmax(axis=1)] = 1
        return out
    return (p >= 0.5).astype(np.int8)


def _folds(y: Any, mode: str, params: Params) -> list[tuple[Any, Any]]:
    """Stratified folds where the target allows it (single-label, binary), plain k-fold else."""
    import numpy as np
    from sklearn.model_selection import KFold, StratifiedKFold

    splitter: Any
    if mode == "single" or y.shape[1] == 1:
        strata = y.argmax(axis=1) if mode == "single" else y[:, 0]
        smallest = (
            int(np.bincount(strata).min()) if mode == "single" else int(min(strata.sum(), len(strata) - strata.sum()))
        )
        splitter = StratifiedKFold(max(2, min(params.folds, smallest)), shuffle=True, random_state=params.seed)
    else:
        splitter, strata = KFold(min(params.folds, len(y)), shuffle=True, random_state=params.seed), None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        return list(splitter.split(np.zeros(len(y)), strata))


def out_of_fold(
    X: Any, y: Any, groups: list[str | None], mode: str, params: Params, C: float, extra: tuple[Any, Any] | None = None
) -> Any:
    """Held-out probabilities for every training issue by k-fold cross-validation. The
    vectorizers saw all training texts (no labels involved); the weights never see the fold they score."""
    import numpy as np

    out = np.zeros(y.shape, dtype=float)
    for tr, te in _folds(y, mode, params):
        comps = linear.fit(
            X[tr],
            y[tr],
            [groups[i] for i in tr],
            mode,
            C=C,
            class_weight=params.class_weight,
            per_group=params.per_group,
            extra=extra,
            nb_weight=params.nb_weight,
        )
        out[te] = linear.proba(comps, X[te], [groups[i] for i in te], mode, params.pool_weight)
    return out


def macro_f1(y: Any, decisions: Any) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, decisions, average="macro", zero_division=0))


def choose_c(
    X: Any, y: Any, groups: list[str | None], mode: str, params: Params, extra: tuple[Any, Any] | None = None
) -> tuple[float, Any, dict[str, float]]:
    """Grid over C by out-of-fold macro F1; returns (C, its OOF probabilities, scores per C)."""
    grid = (params.C,) if params.C is not None else C_GRID
    results = {c: out_of_fold(X, y, groups, mode, params, c, extra) for c in grid}
    scores = {str(c): macro_f1(y, decide(p, mode)) for c, p in results.items()}
    best = max(grid, key=lambda c: (scores[str(c)], -abs(math.log(c / 10))))
    return best, results[best], scores


def label_text(label: str) -> str:
    """What a label's name says as text: `area/panel/time-series` -> `panel time series`; the family
    prefix (`area/`, `datasource/`) is the same for every label and is dropped."""
    name = label.split("/", 1)[1] if "/" in label and label.split("/", 1)[1] else label
    words = re.sub(r"[/_:.-]+", " ", name).strip() or label
    return "\n".join([words] * features.TITLE_WEIGHT)


def label_rows(
    labels: Sequence[str], fitted: list[tuple[str, Any]], embedder: Any, weight: float, repeat: int
) -> tuple[Any, Any] | None:
    """Each label's name as `repeat` extra training texts labelled with that label alone. On Grafana
    area labels (79 labels, validation inside the training part) +0.035 P@1 core, +0.025 with
    embeddings, +0.03-0.07 R@3: rare labels get words that name them."""
    import numpy as np

    if repeat <= 0:
        return None
    docs = [label_text(lbl) for lbl in labels]
    emb = embedder(docs) if embedder is not None and weight > 0 else None
    X = linear.stack([v.transform(docs) for _, v in fitted], emb, weight)
    from scipy.sparse import vstack

    return vstack([X] * repeat, format="csr"), np.vstack([np.eye(len(labels), dtype=np.int8)] * repeat)


def embed(embedder: Any, rows: Sequence[Example]) -> tuple[Any, float]:
    if embedder is None:
        return None, 0.0
    started = time.perf_counter()
    return embedder([features.embed_text_of(e.title, e.body) for e in rows]), time.perf_counter() - started


def train(
    train_examples: Sequence[Example],
    val_examples: Sequence[Example] = (),
    params: Params = Params(),
    embedder: Any = None,
) -> Trained:
    """Fit; `embedder` (texts -> float32 vectors, e.g. encoder.Cache.encode) adds sentence embeddings."""
    started = time.perf_counter()
    prep = prepare(train_examples, val_examples, min_examples=params.min_examples)
    rows, n = prep.train + prep.val, len(prep.train)
    y, groups = matrix(rows, prep.labels), [group_of(e) for e in rows]
    emb, embed_s = embed(embedder, rows)
    weight = params.embed_weight if emb is not None else 0.0
    fitted = features.build(params.features)
    X = linear.stack([v.fit_transform(texts(rows)) for _, v in fitted], emb, weight)
    extra = label_rows(prep.labels, fitted, embedder, weight, params.label_text) if prep.mode == "multi" else None
    # With sentence embeddings the NB-weighted half no longer helps (measured: docs/triage-intelligence.md): off.
    params = replace(params, nb_weight=params.nb_weight if emb is None else 0.0)
    fit = partial(
        linear.fit,
        mode=prep.mode,
        C=params.C or 10.0,
        class_weight=params.class_weight,
        per_group=params.per_group,
        extra=extra,
        nb_weight=params.nb_weight,
    )
    out = _held_out(fit, X, y, groups, n, prep, params, extra)
    comps = fit(X[: out.fit_rows], y[: out.fit_rows], groups[: out.fit_rows], C=out.C)
    model = linear.Model.from_fitted(
        fitted,
        components=comps,
        mode=prep.mode,
        pool_weight=params.pool_weight,
        embed_weight=weight,
        embed_dim=0 if emb is None else int(emb.shape[1]),
    )
    levels = {
        lbl: calibrate.cutoffs(out.proba[:, i], out.y[:, i].astype(bool), min_support=params.min_support, z=params.z)
        for i, lbl in enumerate(prep.labels)
    }
    meta = _meta(prep, params, out, levels, time.perf_counter() - started - embed_s)
    meta.update(embed_seconds=round(embed_s, 2), components=sorted(comps), pool_weight=params.pool_weight)
    return Trained(model=model, meta=meta, levels=levels)


class HeldOut(NamedTuple):
    """Scores on issues the weights did not see, to calibrate on; and how many rows the final fit uses."""

    C: float
    grid: dict[str, float]
    proba: Any
    y: Any
    groups: list[str | None]
    fit_rows: int


def _held_out(
    fit: Any, X: Any, y: Any, groups: list[str | None], n: int, prep: Prepared, params: Params, extra: Any
) -> HeldOut:
    """The validation file's scores by weights fitted on train only, else out-of-fold scores while choosing C."""
    if prep.val:
        held = linear.proba(fit(X[:n], y[:n], groups[:n]), X[n:], groups[n:], prep.mode, params.pool_weight)
        last = len(groups) if params.refit else n
        return HeldOut(params.C or 10.0, {}, held, y[n:], groups[n:], last)
    C, held, grid = choose_c(X, y, groups, prep.mode, params, extra)
    return HeldOut(C, grid, held, y, groups[:n], n)


def _meta(
    prep: Prepared, params: Params, out: HeldOut, levels: dict[str, calibrate.Cutoffs], seconds: float
) -> dict[str, Any]:
    import sklearn

    top = (
        calibrate.fit_top(out.proba, out.y, prep.labels, out.groups, min_support=params.min_support)
        if prep.mode == "single" and params.top_calibration
        else None
    )
    calibration = "validation file" if prep.val else f"{params.folds}-fold out-of-fold scores"
    if top is not None:
        calibration += "; single-label: Platt-calibrated top label (calibrate.fit_top)"

    per_label = Counter(lbl for e in prep.train + prep.val for lbl in e.labels)
    thresholds = {lbl: calibrate.threshold(levels[lbl], params.target_precision) for lbl in prep.labels}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labeler_version": __version__,
        "sklearn_version": sklearn.__version__,
        "version": f"local-{now:%Y%m%dT%H%M%SZ}",
        "trained_at": now.isoformat(),
        "mode": prep.mode,
        "labels": prep.labels,
        "target_precision": params.target_precision,
        "thresholds": {k: (None if math.isinf(v) else float(v)) for k, v in thresholds.items()},
        "levels": {lbl: calibrate.to_json(levels[lbl]) for lbl in prep.labels},
        "counts": {
            "train": len(prep.train),
            "val": len(prep.val),
            "per_label": dict(sorted(per_label.items())),
            "dropped_labels": prep.dropped,
        },
        "calibration": calibration,
        "heldout_macro_f1": round(macro_f1(out.y, decide(out.proba, prep.mode)), 4),
        "params": _params_meta(prep, params, out.C, out.grid),
        "train_seconds": round(seconds, 2),
        "top_calibration": top,
    }


def _params_meta(prep: Prepared, params: Params, C: float, grid: dict[str, float]) -> dict[str, Any]:
    return {
        "C": C,
        "C_grid_macro_f1": grid,
        "class_weight": params.class_weight,
        "min_examples": params.min_examples,
        "min_support": params.min_support,
        "z": params.z,
        "features": list(params.features),
        "per_group": params.per_group,
        "label_text": params.label_text if prep.mode == "multi" else 0,
        "embed_weight": params.embed_weight,
        "nb_weight": params.nb_weight if prep.mode == "single" else 0,
        "refit_on_val": bool(prep.val) and params.refit,
        "seed": params.seed,
    }


def save(trained: Trained, out_dir: str, encoder: dict[str, Any] | None = None) -> None:
    """Write the arrays and vocabularies, then meta.json last (see store.py)."""
    from labeler.model import store

    store.save(trained.model, {**trained.meta, "encoder": encoder}, out_dir)

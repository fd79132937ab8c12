"""Train the offline classifier and save a model directory.

The model is saved as arrays and JSON, never a pickle (store.py has the format).

The model: TF-IDF (features.py) -> logistic regression, pooled across repositories and per
repository (linear.py). With an embedder, single-label data gets a second logistic regression on
the sentence embeddings, whose probabilities are averaged with the first's at a share chosen on
the same held-out scores that set the thresholds (fusion.py): late fusion, each model regularised
in its own feature space. Multi-label data gets the embeddings as extra columns instead (linear.py
says why).
The vectorizers are fitted once on all training texts; cross-validation refits only the weights,
which keeps training fast.

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
from typing import Any

from labeler import __version__
from labeler.errors import UserError, setting
from labeler.examples import Example
from labeler.model import calibrate, features, fusion, linear

FORMAT = "labeler-model"
FORMAT_VERSION = 3  # 3: sentence embeddings in a model of their own (late fusion); 2 read without them
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
    embed_share: float | None = None  # the embedding model's share of the probabilities; None: chosen (fusion.py)
    embed_C: float = 10.0  # the embedding model's C (vectors are L2-normalised: one scale for every repository)
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
    labels: Sequence[str], fitted: list[tuple[str, Any]], embedder: Any, repeat: int
) -> tuple[Any, Any] | None:
    """Each label's name as `repeat` extra training texts labelled with that label alone (multi-label
    models; with an embedder their vectors are columns too). Rare labels get words that name them
    (validated on Grafana area labels inside the training part: see the docs)."""
    import numpy as np

    if repeat <= 0:
        return None
    docs = [label_text(lbl) for lbl in labels]
    blocks = [v.transform(docs) for _, v in fitted] + ([embedder(docs)] if embedder is not None else [])
    from scipy.sparse import vstack

    X = vstack([linear.stack(blocks)] * repeat, format="csr")
    return X, np.vstack([np.eye(len(labels), dtype=np.int8)] * repeat)


def embed(embedder: Any, rows: Sequence[Example]) -> tuple[Any, float]:
    if embedder is None:
        return None, 0.0
    started = time.perf_counter()
    return linear.dense(
        embedder([features.embed_text_of(e.title, e.body) for e in rows])
    ), time.perf_counter() - started


@dataclass
class Features:
    """What both models train on: TF-IDF rows X (+ embedding columns for multi-label data), embedding
    rows E for the late-fused embedding model (single-label data; else None), targets, groups."""

    prep: Prepared
    fitted: list[tuple[str, Any]]
    X: Any
    E: Any
    y: Any
    groups: list[str | None]
    extra: tuple[Any, Any] | None
    embed_seconds: float
    embed_columns: int = 0

    @property
    def n(self) -> int:
        return len(self.prep.train)


def featurize(prep: Prepared, params: Params, embedder: Any) -> Features:
    rows = prep.train + prep.val
    emb, embed_s = embed(embedder, rows)
    fitted = features.build(params.features)
    columns = prep.mode == "multi" and emb is not None
    X = linear.stack([v.fit_transform(texts(rows)) for _, v in fitted] + ([emb] if columns else []))
    extra = label_rows(prep.labels, fitted, embedder, params.label_text) if prep.mode == "multi" else None
    groups = [group_of(e) for e in rows]
    E, width = (None, int(emb.shape[1])) if columns else (emb, 0)
    return Features(prep, fitted, X, E, matrix(rows, prep.labels), groups, extra, embed_s, width)


def _fitter(f: Features, params: Params, embedding: bool) -> Any:
    """linear.fit for one of the two models: the embedding model has its own C and no NB half."""
    return partial(
        linear.fit,
        mode=f.prep.mode,
        C=params.embed_C if embedding else (params.C or 10.0),
        class_weight=params.class_weight,
        per_group=params.per_group,
        extra=None if embedding else f.extra,
        nb_weight=0.0 if embedding else params.nb_weight,
    )


@dataclass
class HeldOut:
    """Scores of issues the weights never saw: the --val file, else out-of-fold."""

    text: Any
    embed: Any
    y: Any
    groups: list[str | None]
    C: float
    grid: dict[str, float]


def held_out(f: Features, params: Params) -> HeldOut:
    n, mode, pw = f.n, f.prep.mode, params.pool_weight
    if f.prep.val:
        fit_text, fit_embed = _fitter(f, params, False), _fitter(f, params, True)
        text = linear.proba(fit_text(f.X[:n], f.y[:n], f.groups[:n]), f.X[n:], f.groups[n:], mode, pw)
        emb = None
        if f.E is not None:
            emb = linear.proba(fit_embed(f.E[:n], f.y[:n], f.groups[:n]), f.E[n:], f.groups[n:], mode, pw)
        return HeldOut(text, emb, f.y[n:], f.groups[n:], params.C or 10.0, {})
    C, text, grid = choose_c(f.X, f.y, f.groups, mode, params, f.extra)
    emb = None
    if f.E is not None:
        plain = replace(params, nb_weight=0.0)
        emb = out_of_fold(f.E, f.y, f.groups, mode, plain, params.embed_C)
    return HeldOut(text, emb, f.y, f.groups, C, grid)


def share_of(held: HeldOut, params: Params, mode: str) -> tuple[float, dict[str, float]]:
    """The embedding model's share: fixed by Params.embed_share, else chosen on the held-out scores."""
    if held.embed is None:
        return 0.0, {}
    if params.embed_share is not None:
        return params.embed_share, {}
    return fusion.choose_share(held.text, held.embed, held.y, mode)


def train(
    train_examples: Sequence[Example],
    val_examples: Sequence[Example] = (),
    params: Params = Params(),
    embedder: Any = None,
) -> Trained:
    """Fit; `embedder` (texts -> float32 vectors, e.g. encoder.Cache.encode) adds a sentence-embedding
    model whose probabilities are averaged with the TF-IDF model's (linear.fuse)."""
    started = time.perf_counter()
    prep = prepare(train_examples, val_examples, min_examples=params.min_examples)
    f = featurize(prep, params, embedder)
    held = held_out(f, params)
    share, losses = share_of(held, params, prep.mode)
    p_held = linear.fuse(held.text, held.embed, share)
    last = f.n if prep.val and not params.refit else len(f.y)
    comps = _fitter(f, params, False)(f.X[:last], f.y[:last], f.groups[:last], C=held.C)
    embed_comps = _fitter(f, params, True)(f.E[:last], f.y[:last], f.groups[:last]) if share > 0 else {}
    model = linear.Model.from_fitted(
        f.fitted,
        components=comps,
        mode=prep.mode,
        pool_weight=params.pool_weight,
        embed_components=embed_comps,
        embed_share=share,
        embed_dim=int(f.E.shape[1]) if share > 0 else 0,
        embed_columns=f.embed_columns,
    )
    levels = {
        lbl: calibrate.cutoffs(p_held[:, i], held.y[:, i].astype(bool), min_support=params.min_support, z=params.z)
        for i, lbl in enumerate(prep.labels)
    }
    seconds = time.perf_counter() - started - f.embed_seconds
    meta = _meta(prep, params, held, levels, macro_f1(held.y, decide(p_held, prep.mode)), seconds)
    meta["params"].update(
        embed_share=share, embed_share_log_loss=losses, embedded=embedder is not None, embed_columns=f.embed_columns
    )
    _top(meta, p_held, held, prep, params)
    meta.update(embed_seconds=round(f.embed_seconds, 2), components=sorted(comps), pool_weight=params.pool_weight)
    return Trained(model=model, meta=meta, levels=levels)


def _top(meta: dict[str, Any], p_held: Any, held: HeldOut, prep: Prepared, params: Params) -> None:
    top = (
        calibrate.fit_top(p_held, held.y, prep.labels, held.groups, min_support=params.min_support)
        if prep.mode == "single" and params.top_calibration
        else None
    )
    meta["top_calibration"] = top
    if top is not None:
        meta["calibration"] += "; single-label: Platt-calibrated top label (calibrate.fit_top)"


def _meta(
    prep: Prepared,
    params: Params,
    held: HeldOut,
    levels: dict[str, calibrate.Cutoffs],
    held_f1: float,
    seconds: float,
) -> dict[str, Any]:
    import sklearn

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
        "calibration": "validation file" if prep.val else f"{params.folds}-fold out-of-fold scores",
        "heldout_macro_f1": round(held_f1, 4),
        "params": _params(prep, params, held),
        "train_seconds": round(seconds, 2),
    }


def _params(prep: Prepared, params: Params, held: HeldOut) -> dict[str, Any]:
    return {
        "C": held.C,
        "C_grid_macro_f1": held.grid,
        "class_weight": params.class_weight,
        "min_examples": params.min_examples,
        "min_support": params.min_support,
        "z": params.z,
        "features": list(params.features),
        "per_group": params.per_group,
        "label_text": params.label_text if prep.mode == "multi" else 0,
        "embed_C": params.embed_C,
        "nb_weight": params.nb_weight if prep.mode == "single" else 0,
        "refit_on_val": bool(prep.val) and params.refit,
        "seed": params.seed,
    }


def save(trained: Trained, out_dir: str, encoder: dict[str, Any] | None = None) -> None:
    """Write the arrays and vocabularies, then meta.json last (see store.py)."""
    from labeler.model import store

    store.save(trained.model, {**trained.meta, "encoder": encoder}, out_dir)

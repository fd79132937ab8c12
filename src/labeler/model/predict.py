"""Load a trained model directory and suggest labels with calibrated confidences.

Loading needs no network; a bad directory is a UserError. A suggestion lists every label with a
confidence above 0, highest first: the confidence is the estimated precision of applying that label at
this score, measured on held-out data (VS Code getThresholds style), one of 0.05, 0.10 .. 1.00; for a
single-label model, the precision of applying the top label whenever it is at least this sure
(calibrate.fit_top). A label is applied when its score reaches the cutoff that met the training target
precision; a label that never met it has no cutoff (math.inf) and is never applied automatically.

Model directory: see store.py (arrays + JSON; a pickle is refused, nothing loaded can run code).
A model trained with `--encoder` records it in meta.json; `load` finds the same encoder again
(LABELER_ENCODER overrides where it lives, e.g. a local folder; HF_HUB_OFFLINE=1 uses the hub cache
only) and refuses one whose ONNX file differs from the one the model was trained with.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from typing import Any

from labeler import runner
from labeler.errors import UserError
from labeler.model import calibrate, features, linear, store
from labeler.model.train import FORMAT, FORMAT_VERSION

READS = (2, FORMAT_VERSION)  # version 2 differs only in how it held sentence embeddings


class Predictor:
    def __init__(self, model: linear.Model, meta: dict[str, Any], encoder: Any = None) -> None:
        self.model = model
        self.meta = meta
        self.encoder = encoder
        self.labels: list[str] = list(meta["labels"])
        self.mode: str = meta["mode"]
        self.levels = {lbl: calibrate.from_json(meta["levels"][lbl]) for lbl in self.labels}
        self.thresholds: dict[str, float] = {
            lbl: math.inf if meta["thresholds"].get(lbl) is None else float(meta["thresholds"][lbl])
            for lbl in self.labels
        }
        self.target: float = float(meta.get("target_precision", 0.9))
        self.top: calibrate.TopCalibration | None = (
            calibrate.check_top(meta["top_calibration"], self.labels) if meta.get("top_calibration") else None
        )
        if model.needs_embeddings and encoder is None:
            raise UserError("this model needs its sentence encoder (see meta.json 'encoder')")

    def scores_many(
        self, items: Sequence[tuple[str, str]], groups: Sequence[str | None] | None = None
    ) -> list[dict[str, float]]:
        """Raw probabilities; `groups` (the issues' repositories) picks per-repository models."""
        if not items:
            return []
        emb = None
        if self.model.needs_embeddings:
            emb = self.encoder.encode([features.embed_text_of(t, b) for t, b in items])
        X = self.model.matrix([features.text_of(t, b) for t, b in items], emb)
        p = self.model.proba(X, list(groups) if groups is not None else [None] * len(items), emb)
        return [dict(zip(self.labels, map(float, row))) for row in p]

    def scores(self, title: str, body: str, group: str | None = None) -> dict[str, float]:
        return self.scores_many([(title, body)], [group])[0]

    def confidence(self, label: str, score: float) -> float:
        return calibrate.confidence(self.levels[label], score)

    def confidences(self, scores: dict[str, float], group: str | None = None) -> dict[str, float]:
        """Confidence per label. With a top-label calibrator (single-label models) the top label gets
        its calibrated confidence; another label at most 1 - that (one label is right) and below
        the target (only the top label is ever applied)."""
        conf = {lbl: self.confidence(lbl, s) for lbl, s in scores.items()}
        if self.top is not None and scores:
            best = max(scores, key=lambda k: scores[k])
            top = calibrate.top_confidence(self.top, [scores[lbl] for lbl in self.labels], best, group)
            cap = min(
                math.floor((1 - top) * 20 + 1e-9) / 20,
                max((x for x in calibrate.LEVELS if x < self.target), default=0.0),
            )
            conf = {lbl: top if lbl == best else min(c, cap) for lbl, c in conf.items()}
        return conf

    def applied(self, scores: dict[str, float], group: str | None = None) -> set[str]:
        """What label-issue applies at the training target: the top label when its confidence reaches
        it (top-label calibration), else labels clearing their thresholds (only the top one if single)."""
        if self.top is not None:
            best = max(scores, key=lambda k: scores[k])
            return {best} if self.confidences(scores, group)[best] + 1e-9 >= self.target else set()
        clear = {lbl for lbl, s in scores.items() if s >= self.thresholds[lbl]}
        if self.mode == "single" and clear:
            return {max(clear, key=lambda k: scores[k])}
        return clear

    def rank(self, scores: dict[str, float], group: str | None = None) -> list[tuple[str, float]]:
        conf = self.confidences(scores, group)
        ranked = [(lbl, conf[lbl], s) for lbl, s in scores.items()]
        ranked = [r for r in ranked if r[1] > 0]
        ranked.sort(key=lambda r: (-r[1], -r[2], r[0]))
        return [(lbl, conf) for lbl, conf, _ in ranked]

    def suggest(self, title: str, body: str, group: str | None = None) -> list[tuple[str, float]]:
        return self.rank(self.scores(title, body, group), group)


def read_meta(model_dir: str) -> dict[str, Any]:
    path = os.path.join(model_dir, "meta.json")
    if not os.path.isfile(path):
        if os.path.isfile(os.path.join(model_dir, "model.joblib")):
            raise UserError(
                "this model folder holds a pickle (model.joblib) from an older labeler; pickles can run "
                "code when loaded and are refused: retrain with `labeler model train`",
                file=model_dir,
            )
        raise UserError("not a labeler model directory: meta.json is missing", file=path)
    try:
        if os.path.getsize(path) > 10 * 2**20:
            raise ValueError("larger than 10 MiB")
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read the model's meta.json ({e})", file=path) from None
    _check_meta(meta, path)
    return dict(meta)


def _check_meta(meta: Any, path: str) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise UserError(f"meta.json is not a {FORMAT} description", file=path)
    version = meta.get("format_version")
    if version not in READS or (version != FORMAT_VERSION and (meta.get("embed_dim") or meta.get("embed_columns"))):
        raise UserError(
            f"model format version {version!r} is not supported (this labeler reads version {FORMAT_VERSION}, "
            "and version 2 without sentence embeddings): retrain the model",
            file=path,
        )
    _check_embedding(meta, path)
    labels = meta.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise UserError("meta.json has no label list", file=path)
    for key in ("thresholds", "levels"):
        if not isinstance(meta.get(key), dict) or set(meta[key]) != set(labels):
            raise UserError(f"meta.json {key!r} do not match its labels", file=path)
    if meta.get("mode") not in ("single", "multi"):
        raise UserError("meta.json lacks mode", file=path)
    for key in ("files", "sha256"):
        if not isinstance(meta.get(key), dict):
            raise UserError(f"meta.json lacks {key!r}", file=path)
    kinds, comps = meta.get("kinds"), meta.get("components")
    if (
        not isinstance(kinds, list)
        or not kinds
        or set(kinds) - set(features.KINDS)
        or not isinstance(comps, list)
        or not all(isinstance(c, str) for c in comps)
    ):
        raise UserError("meta.json lacks valid 'kinds' or 'components'", file=path)


def _check_embedding(meta: dict[str, Any], path: str) -> None:
    dim, share, names = meta.get("embed_dim") or 0, meta.get("embed_share") or 0, meta.get("embed_components") or []
    columns = meta.get("embed_columns") or 0
    if (
        not isinstance(dim, int)
        or dim < 0
        or not isinstance(columns, int)
        or columns < 0
        or isinstance(share, bool)
        or not isinstance(share, (int, float))
        or not isinstance(names, list)
        or not all(isinstance(c, str) for c in names)
    ):
        raise UserError(
            "meta.json lacks a valid 'embed_dim', 'embed_share', 'embed_components' or 'embed_columns'", file=path
        )


def load(model_dir: str) -> Predictor:
    """Open a model directory written by `labeler model train` (see module docstring)."""
    meta = read_meta(model_dir)
    try:
        import numpy  # noqa: F401
        import sklearn
    except ImportError:
        raise UserError("the offline model needs scikit-learn: pip install 'labeler[local]'") from None
    if meta.get("sklearn_version") != sklearn.__version__:
        runner.warning(
            f"the model was trained with scikit-learn {meta.get('sklearn_version')}, this is "
            f"{sklearn.__version__}; retrain if predictions look wrong"
        )
    model = store.load_arrays(model_dir, meta)
    encoder = open_encoder(meta["encoder"]) if model.needs_embeddings else None
    try:
        return Predictor(model, meta, encoder)
    except (KeyError, ValueError, TypeError) as e:
        raise UserError(f"meta.json is inconsistent ({e})", file=os.path.join(model_dir, "meta.json")) from None


def open_encoder(recorded: Any) -> Any:
    """The encoder a model was trained with: LABELER_ENCODER if set (e.g. a local copy), else the
    recorded hub id and revision. Its ONNX file must be the one the model recorded."""
    from labeler.model import encoder as enc

    if not isinstance(recorded, dict) or not isinstance(recorded.get("name"), str):
        raise UserError("the model uses sentence embeddings but meta.json does not say which encoder")
    where = os.environ.get("LABELER_ENCODER") or (
        recorded["name"]
        + (f"@{recorded['revision']}" if recorded.get("source") == "hub" and recorded.get("revision") else "")
    )
    found = enc.load(enc.spec_from(where))
    if recorded.get("ident") and found.ident != recorded["ident"]:
        raise UserError(
            f"the model was trained with encoder {recorded['name']} ({recorded['ident']}) but {where} is "
            f"{found.ident}: point LABELER_ENCODER at the same encoder, or retrain"
        )
    if int(found.dim) != int(recorded.get("dim", found.dim)):
        raise UserError(
            f"encoder {where} gives {found.dim}-dimensional vectors, the model expects {recorded.get('dim')}"
        )
    return found

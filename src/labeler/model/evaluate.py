"""Evaluate a model directory on labelled JSONL: F1, per-label P/R, confusion, coverage.

The report is JSON-ready, and rendered as a plain-text table for the terminal and the job summary.

Report keys: macro_f1, micro_f1 (uncalibrated decisions: the top label for single-label models,
every p >= 0.5 for multi-label ones, comparable to published numbers), per_label {label:
precision, recall, f1, support, threshold, applied, precision_at_threshold, recall_at_threshold},
at_thresholds (dotnet/issue-labeler's table: match, mismatch, abstain, no_existing as fractions,
plus coverage and precision of what would be applied), coverage_curve (top label kept when its
calibrated confidence >= level: issues, kept, correct, coverage, precision - None when nothing is
kept; labeling.md §4), confusion (single-label data only). Only title and body reach the model: gold labels are
never features.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from labeler.examples import Example
from labeler.model.predict import Predictor
from labeler.model.train import group_of

CURVE_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def decisions(predictor: Predictor, scores: dict[str, float]) -> set[str]:
    if predictor.mode == "single":
        return {max(scores, key=lambda k: scores[k])}
    return {lbl for lbl, s in scores.items() if s >= 0.5}


def applied(predictor: Predictor, scores: dict[str, float], group: str | None = None) -> set[str]:
    """What label-issue would apply at the training target precision (Predictor.applied)."""
    return predictor.applied(scores, group)


def _counts(golds: list[set[str]], preds: list[set[str]], labels: Sequence[str]) -> dict[str, tuple[int, int, int]]:
    out = {}
    for lbl in labels:
        tp = sum(lbl in g and lbl in p for g, p in zip(golds, preds))
        fp = sum(lbl not in g and lbl in p for g, p in zip(golds, preds))
        fn = sum(lbl in g and lbl not in p for g, p in zip(golds, preds))
        out[lbl] = (tp, fp, fn)
    return out


def per_label(
    golds: list[set[str]], preds: list[set[str]], used: list[set[str]], predictor: Predictor
) -> dict[str, dict[str, Any]]:
    plain, at = _counts(golds, preds, predictor.labels), _counts(golds, used, predictor.labels)
    table = {}
    for lbl in predictor.labels:
        p, r, f = _prf(*plain[lbl])
        pt, rt, _ = _prf(*at[lbl])
        thr = predictor.thresholds[lbl]
        table[lbl] = {
            "precision": p,
            "recall": r,
            "f1": f,
            "support": plain[lbl][0] + plain[lbl][2],
            "threshold": None if math.isinf(thr) else thr,
            "applied": at[lbl][0] + at[lbl][1],
            "precision_at_threshold": pt,
            "recall_at_threshold": rt,
        }
    return table


def at_thresholds(golds: list[set[str]], used: list[set[str]]) -> dict[str, float]:
    """dotnet's Matches / Mismatches / No Prediction / No Existing, as fractions of all issues."""
    n = max(1, len(golds))
    match = sum(bool(u) and u <= g for g, u in zip(golds, used) if g)
    mismatch = sum(bool(u) and not u <= g for g, u in zip(golds, used) if g)
    abstain = sum(not u for g, u in zip(golds, used) if g)
    none = sum(not g for g in golds)
    labelled = max(1, len(golds) - none)
    return {
        "match": match / n,
        "mismatch": mismatch / n,
        "abstain": abstain / n,
        "no_existing": none / n,
        "coverage": (match + mismatch) / labelled,
        "precision": match / (match + mismatch) if match + mismatch else 0.0,
    }


def coverage_curve(
    predictor: Predictor,
    golds: list[set[str]],
    scores: list[dict[str, float]],
    groups: Sequence[str | None] | None = None,
) -> list[dict[str, float | None]]:
    tops = []
    for g, s, grp in zip(golds, scores, groups or [None] * len(scores)):
        if g:
            lbl = max(s, key=lambda k: s[k])
            tops.append((predictor.confidences(s, grp)[lbl], lbl in g))
    rows: list[dict[str, float | None]] = []
    for level in CURVE_LEVELS:
        kept = [ok for conf, ok in tops if conf >= level]
        rows.append(
            {
                "confidence": level,
                "issues": len(tops),
                "kept": len(kept),
                "correct": sum(kept),
                "coverage": len(kept) / max(1, len(tops)),
                "precision": sum(kept) / len(kept) if kept else None,
            }
        )
    return rows


def confusion(golds: list[set[str]], preds: list[set[str]], labels: Sequence[str]) -> dict[str, Any] | None:
    if not all(len(g) == 1 for g in golds):
        return None
    index = {lbl: i for i, lbl in enumerate(labels)}
    grid = [[0] * len(labels) for _ in labels]
    for g, p in zip(golds, preds):
        grid[index[next(iter(g))]][index[next(iter(p))]] += 1
    return {"labels": list(labels), "rows_gold_cols_predicted": grid}


def evaluate(predictor: Predictor, examples: Sequence[Example]) -> dict[str, Any]:
    known = set(predictor.labels)
    golds = [set(e.labels) & known for e in examples]
    groups = [group_of(e) for e in examples]
    scores = predictor.scores_many([(e.title, e.body) for e in examples], groups)
    preds = [decisions(predictor, s) for s in scores]
    used = [applied(predictor, s, grp) for s, grp in zip(scores, groups)]
    counts = _counts(golds, preds, predictor.labels)
    table = per_label(golds, preds, used, predictor)
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    present = [lbl for lbl in predictor.labels if table[lbl]["support"]]
    return {
        "issues": len(examples),
        "unknown_labels": sorted({x for e in examples for x in e.labels} - known),
        "macro_f1": sum(table[lbl]["f1"] for lbl in present) / max(1, len(present)),
        "micro_f1": _prf(tp, fp, fn)[2],
        "per_label": table,
        "at_thresholds": at_thresholds(golds, used),
        "coverage_curve": coverage_curve(predictor, golds, scores, groups),
        "confusion": confusion(golds, preds, predictor.labels) if predictor.mode == "single" else None,
        "model": {
            k: predictor.meta.get(k)
            for k in ("trained_at", "labeler_version", "mode", "target_precision", "counts", "params")
        },
    }


def render(report: dict[str, Any]) -> str:
    lines = [
        f"issues: {report['issues']}   macro F1: {report['macro_f1']:.3f}   micro F1: {report['micro_f1']:.3f}",
        "",
        f"{'label':<32} {'P':>6} {'R':>6} {'F1':>6} {'supp':>5} {'thresh':>7} {'P@t':>6} {'R@t':>6}",
    ]
    for lbl, row in report["per_label"].items():
        thr = "never" if row["threshold"] is None else f"{row['threshold']:.3f}"
        lines.append(
            f"{lbl[:32]:<32} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} "
            f"{row['support']:>5} {thr:>7} {row['precision_at_threshold']:>6.3f} {row['recall_at_threshold']:>6.3f}"
        )
    t = report["at_thresholds"]
    lines += [
        "",
        "at the thresholds (share of issues): "
        f"match {t['match']:.1%}  mismatch {t['mismatch']:.1%}  abstain {t['abstain']:.1%}  "
        f"no label {t['no_existing']:.1%}  -> coverage {t['coverage']:.1%} at precision {t['precision']:.1%}",
        "",
        "top label kept when confidence >= level:",
    ]
    lines += [
        f"  {r['confidence']:.2f}: keeps {r['coverage']:.1%} at precision "
        + ("-" if r["precision"] is None else f"{r['precision']:.1%}")
        for r in report["coverage_curve"]
    ]
    if report.get("confusion"):
        lines += ["", _render_confusion(report["confusion"])]
    return "\n".join(lines)


def _render_confusion(conf: dict[str, Any]) -> str:
    labels = conf["labels"]
    width = max(8, *(min(16, len(lbl)) for lbl in labels))
    head = "gold \\ predicted".ljust(width + 2) + " ".join(f"{lbl[:width]:>{width}}" for lbl in labels)
    rows = [
        f"{lbl[:width]:<{width + 2}}" + " ".join(f"{n:>{width}}" for n in row)
        for lbl, row in zip(labels, conf["rows_gold_cols_predicted"])
    ]
    return "\n".join(["confusion matrix:", head, *rows])


def summary_markdown(report: dict[str, Any]) -> str:
    """The job summary: headline, a precision-vs-coverage chart and the confusion matrix (Mermaid
    and Markdown both render on GitHub), then the plain table."""
    t = report["at_thresholds"]
    parts = [
        f"**macro F1 {report['macro_f1']:.3f}** · micro F1 {report['micro_f1']:.3f} · {report['issues']} issues · "
        f"at the thresholds: coverage {t['coverage']:.1%}, precision {t['precision']:.1%}",
        "",
        mermaid_curve(report["coverage_curve"]),
    ]
    if report.get("confusion"):
        parts += ["", confusion_markdown(report["confusion"])]
    return "\n".join(parts)


def mermaid_curve(rows: Sequence[dict[str, Any]]) -> str:
    """Precision and coverage of the top label by calibrated-confidence floor, as a Mermaid xychart."""
    xs = [f"{r['confidence']:.2f}" for r in rows]
    precision = [0.0 if r["precision"] is None else round(r["precision"], 3) for r in rows]
    coverage = [round(r["coverage"], 3) for r in rows]
    return "\n".join(
        [
            "Precision (first line) and coverage (second line) of the top label, by the confidence it must reach:",
            "",
            "```mermaid",
            "xychart-beta",
            '    title "Precision vs coverage by confidence floor"',
            f'    x-axis "confidence >=" [{", ".join(xs)}]',
            '    y-axis "share" 0 --> 1',
            f"    line [{', '.join(map(str, precision))}]",
            f"    line [{', '.join(map(str, coverage))}]",
            "```",
        ]
    )


def confusion_markdown(conf: dict[str, Any]) -> str:
    labels = [_cell(lbl) for lbl in conf["labels"]]
    lines = [
        "Confusion matrix (rows: true label, columns: predicted):",
        "",
        "| true \\ predicted | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    for lbl, row in zip(labels, conf["rows_gold_cols_predicted"]):
        lines.append(f"| {lbl} | " + " | ".join(str(n) for n in row) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """A label name in a Markdown table: pipes and markup neutralised, length capped."""
    return "`" + text[:40].replace("|", "/").replace("`", "'") + "`"

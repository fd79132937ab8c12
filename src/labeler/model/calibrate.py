"""Scores -> estimated precision, per label (microsoft/vscode-github-triage-actions getThresholds).

On held-out data, for each target precision 0.00, 0.05 .. 1.00 we record the lowest score cutoff
whose applied set {score >= cutoff} reaches that precision with at least `min_support` issues.
A new score's confidence is the highest level whose cutoff it clears, so `confidence >= target`
holds exactly when `score >= threshold(target)`. Pure Python: no numpy needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

LEVELS: tuple[float, ...] = tuple(round(i * 0.05, 2) for i in range(21))
MIN_SUPPORT = 5
Z = 0.0  # z > 0: estimate precision by its Wilson lower bound instead (conservative; see train.Params.z)

Cutoffs = dict[float, float]  # level -> lowest score cutoff reaching it (levels never reached absent)


def lower_bound(hits: int, n: int, z: float) -> float:
    """Wilson score lower bound of a proportion (z=0: the plain hits / n)."""
    if n == 0:
        return 0.0
    p = hits / n
    if z <= 0:
        return p
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - margin) / (1 + z2 / n)


def cutoffs(
    scores: Sequence[float],
    positive: Sequence[bool],
    *,
    min_support: int = MIN_SUPPORT,
    levels: Sequence[float] = LEVELS,
    z: float | None = None,
) -> Cutoffs:
    """For each precision level, the lowest cutoff whose applied set reaches it."""
    z = Z if z is None else z
    pairs = sorted(zip(scores, positive), key=lambda p: -p[0])
    found: Cutoffs = {}
    hits = 0
    for k, (score, pos) in enumerate(pairs, 1):
        hits += bool(pos)
        if k < len(pairs) and pairs[k][0] == score:
            continue  # ties: a cutoff takes all equal scores or none
        if k < min_support:
            continue
        precision = lower_bound(hits, k, z)
        for level in levels:
            if precision + 1e-12 >= level:
                found[level] = float(score)  # later (lower) scores overwrite: the lowest cutoff wins
    return found


def threshold(found: Cutoffs, target: float) -> float:
    """The score from which confidence >= target; math.inf when no cutoff reaches it."""
    eligible = [cut for level, cut in found.items() if level + 1e-9 >= target]
    return min(eligible) if eligible else math.inf


def confidence(found: Cutoffs, score: float) -> float:
    """Estimated precision of applying the label at `score`: the highest level it clears."""
    cleared = [level for level, cut in found.items() if score >= cut]
    return max(cleared) if cleared else 0.0


def to_json(found: Cutoffs) -> list[list[float]]:
    return [[level, cut] for level, cut in sorted(found.items())]


def from_json(raw: object) -> Cutoffs:
    if not isinstance(raw, list) or not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise ValueError("levels must be a list of [precision, cutoff] pairs")
    return {float(level): float(cut) for level, cut in raw}


# Top-label calibration (single-label models) ------------------------------------------------------
#
# Per-label cut-offs chosen as "the lowest score whose applied set reached the target" on a thousand or so
# out-of-fold scores are noisy (the lowest crossing is an optimistic pick) and ignore that some
# repositories are easier than others. Cross-validated on NLBSE'24 (benchmarks/classifier_nlbse.py
# --calibration) a smoother estimate keeps more issues at the same realised precision: a Platt-style
# logistic regression on out-of-fold scores of the TOP label -> q = P(top label is right), with
# features logit(p1), log(p1/p2) (the margin over the runner-up) and one-hot repository and label;
# then the confidence of an issue is the estimated precision of applying every top label whose q is
# at least its q: the mean q of those out-of-fold issues (levels 0.05 .. 1.00, as above).

TopCalibration = dict[str, Any]


def _top_features(
    probs: Sequence[float], label: str, group: str | None, labels: Sequence[str], groups: Sequence[str]
) -> list[float]:
    ordered = sorted(probs, reverse=True)
    p1 = min(max(ordered[0], 1e-6), 1 - 1e-6)
    p2 = min(max(ordered[1] if len(ordered) > 1 else 1 - p1, 1e-6), 1 - 1e-6)
    return [
        math.log(p1 / (1 - p1)),
        math.log(p1 / p2),
        *(float(group == g) for g in groups),
        *(float(label == lbl) for lbl in labels),
    ]


def fit_top(
    held: Any,
    gold: Any,
    labels: Sequence[str],
    groups: Sequence[str | None],
    *,
    min_support: int = MIN_SUPPORT,
    levels: Sequence[float] = LEVELS,
) -> TopCalibration | None:
    """Fit the top-label calibrator on out-of-fold probabilities `held` (n x labels) and gold 0/1 `gold`."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    known = sorted({g for g in groups if g})
    top = held.argmax(axis=1)
    ok = gold[np.arange(len(gold)), top].astype(bool)
    if ok.all() or not ok.any() or len(ok) < 2 * min_support:
        return None
    X = np.array([_top_features(row, labels[t], g, labels, known) for row, t, g in zip(held, top, groups)])
    lr = LogisticRegression(C=1.0, max_iter=1000).fit(X, ok)
    cal: TopCalibration = {
        "method": "platt-top-label",
        "coef": [float(c) for c in lr.coef_[0]],
        "intercept": float(lr.intercept_[0]),
        "groups": known,
        "labels": list(labels),
    }
    q = np.sort(np.array([top_q(cal, list(row), labels[t], g) for row, t, g in zip(held, top, groups)]))[::-1]
    running = np.cumsum(q) / np.arange(1, len(q) + 1)  # non-increasing: mean q of the kept set
    found: Cutoffs = {}
    for k in range(min_support, len(q) + 1):
        if k < len(q) and q[k] == q[k - 1]:
            continue
        for level in levels:
            if running[k - 1] + 1e-12 >= level:
                found[level] = float(q[k - 1])
    cal["levels"] = to_json(found)
    return cal


def top_q(cal: TopCalibration, probs: Sequence[float], label: str, group: str | None) -> float:
    """P(the top label is right) under the calibrator."""
    x = _top_features(probs, label, group, cal["labels"], cal["groups"])
    z = cal["intercept"] + sum(c * v for c, v in zip(cal["coef"], x))
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


def top_confidence(cal: TopCalibration, probs: Sequence[float], label: str, group: str | None) -> float:
    """Estimated precision of applying top labels at least as sure as this one (0.05 steps)."""
    return confidence(from_json(cal["levels"]), top_q(cal, probs, label, group))


def check_top(raw: Any, labels: Sequence[str]) -> TopCalibration:
    if (
        not isinstance(raw, dict)
        or list(raw.get("labels", ())) != list(labels)
        or not isinstance(raw.get("groups"), list)
        or not isinstance(raw.get("coef"), list)
        or len(raw["coef"]) != 2 + len(raw["groups"]) + len(labels)
    ):
        raise ValueError("top_calibration does not match the labels")
    float(raw["intercept"])
    from_json(raw.get("levels"))
    return raw

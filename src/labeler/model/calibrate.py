"""Scores -> estimated precision, per label (microsoft/vscode-github-triage-actions getThresholds).

On held-out data, for each target precision 0.00, 0.05 .. 1.00 we record the lowest score cutoff
whose applied set {score >= cutoff} reaches that precision with at least `min_support` issues.
A new score's confidence is the highest level whose cutoff it clears, so `confidence >= target`
holds exactly when `score >= threshold(target)`. Pure Python: no numpy needed.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

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


def cutoffs(scores: Sequence[float], positive: Sequence[bool], *, min_support: int = MIN_SUPPORT,
            levels: Sequence[float] = LEVELS, z: float | None = None) -> Cutoffs:
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

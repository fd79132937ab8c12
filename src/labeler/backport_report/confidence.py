"""Calibrated confidence: for each kind of verdict (the rule that decided it, and the verdict), the
share of commits of that kind whose verdict matched what maintainers did (yes and wait read as
"backport", uncertain and no as "not backported"). Estimated on real cycles, each cycle weighing
the same and every kind shrunk toward its verdict's overall agreement, so a kind seen a few times
does not claim certainty. `benchmarks/backport_quality.py` fits and checks the table (leave one
cycle out); a rules file can override it (`confidence:`). Pure functions."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

POSITIVE = ("yes", "wait")
STRENGTH = 20.0  # pseudo-commits of the kind's prior added to what the cycles show
CAP = 200  # commits of one kind a single cycle may contribute
# Fitted by `benchmarks/backport_quality.py --calibrate` on the shared HAProxy and systemd cycles.
TABLE: dict[str, float] = {
    "absent:no": 0.92,
    "conditional:no": 0.8,
    "conditional:uncertain": 0.476,
    "conditional:yes": 0.714,
    "culprit:uncertain": 0.633,
    "default:no": 0.857,
    "dev-only:no": 0.741,
    "fix-report:wait": 0.5,
    "fix-word:uncertain": 0.642,
    "follows:no": 0.969,
    "follows:uncertain": 0.738,
    "follows:yes": 0.825,
    "instruction:no": 0.891,
    "instruction:uncertain": 0.583,
    "instruction:wait": 0.692,
    "instruction:yes": 0.974,
    "lookahead:yes": 0.729,
    "needed:uncertain": 0.524,
    "needed:yes": 0.818,
    "release:no": 0.983,
    "released-fix:wait": 0.5,
    "subject:uncertain": 0.491,
    "subject:yes": 0.634,
}
# Priors, set by reasoning before looking at any cycle and then corrected by the data: a developer's
# explicit word is usually right; a fix follows its culprit less surely; "uncertain" is a coin.
# A pull request's label is a maintainer's decision, but for the whole PR: some of its commits may
# stay behind ("if only some commits should be backported, say so in the PR"), hence below instructions.
KIND_PRIOR = {
    "instruction:yes": 0.9,
    "instruction:no": 0.9,
    "release:no": 0.95,
    "absent:no": 0.85,
    "default:no": 0.8,
    "follows:no": 0.85,
    "follows:yes": 0.7,
    "needed:yes": 0.7,
    "lookahead:yes": 0.7,
    "pr-label:yes": 0.8,
    "pr-label:no": 0.9,
}
# A verdict whose kind is unknown (a model's, a new rule's): its verdict's prior.
PRIOR = {"yes": 0.7, "wait": 0.6, "uncertain": 0.5, "no": 0.8}


def agrees(verdict: str, backported: bool) -> bool:
    return (verdict in POSITIVE) == backported


def confidence(kind: str, table: Mapping[str, float] | None = None) -> float:
    """The calibrated confidence of a verdict of this kind (`source:verdict`)."""
    table = TABLE if table is None else table
    if kind in table:
        return table[kind]
    verdict = kind.rsplit(":", 1)[-1]
    return table.get(f"*:{verdict}", prior(kind))


def _counts(samples: Iterable[tuple[str, bool]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, agree in samples:
        out[kind][0] += 1
        out[kind][1] += agree
    return out


def fit(cycles: Sequence[Sequence[tuple[str, bool]]], strength: float = STRENGTH, cap: int = CAP) -> dict[str, float]:
    """kind -> confidence from (kind, agreed) samples of several cycles: a beta posterior around the
    kind's prior (`KIND_PRIOR`, else its verdict's) worth `strength` commits, where each cycle counts
    at most `cap` commits of a kind, so one big cycle cannot speak for every project."""
    per_cycle = [_counts(samples) for samples in cycles]
    table = {}
    for kind in sorted({k for counts in per_cycle for k in counts}):
        agreed = seen = 0.0
        for counts in per_cycle:
            n, k = counts.get(kind, (0, 0))
            if n:
                weight = min(n, cap) / n
                agreed, seen = agreed + k * weight, seen + n * weight
        table[kind] = round((agreed + strength * prior(kind)) / (seen + strength), 3)
    return table


def prior(kind: str) -> float:
    return KIND_PRIOR.get(kind, PRIOR.get(kind.rsplit(":", 1)[-1], 0.5))


BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)


def reliability(
    pairs: Iterable[tuple[float, bool]], bins: Sequence[float] = BINS
) -> list[tuple[str, int, float, float]]:
    """(bin label, commits, mean confidence, observed agreement) per non-empty bin."""
    rows = []
    pairs = list(pairs)
    for low, high in itertools.pairwise(bins):
        inside = [(c, a) for c, a in pairs if low <= c < high]
        if inside:
            rows.append(
                (
                    f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}",
                    len(inside),
                    sum(c for c, _ in inside) / len(inside),
                    sum(a for _, a in inside) / len(inside),
                )
            )
    return rows

"""Calibrated confidence: for each kind of verdict (the rule that decided it, and the verdict), the
share of commits of that kind whose verdict matched what maintainers did (yes and wait read as
"backport", uncertain and no as "not backported"). Estimated on real cycles, each cycle weighing
the same and every kind shrunk toward its verdict's overall agreement, so a kind seen a few times
does not claim certainty. `benchmarks/backport_quality.py` fits and checks the table (leave one
cycle out); a rules file can override it (`confidence:`). Pure functions."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

POSITIVE = ("yes", "wait")
STRENGTH = 10.0  # pseudo-commits of the verdict's overall agreement added to every kind
# Fitted by `benchmarks/backport_quality.py --calibrate` on HAProxy 2.9-dev and systemd v255.
TABLE: dict[str, float] = {}
# A verdict whose kind the table has never seen (a model's, a new rule's): its verdict's prior.
PRIOR = {"yes": 0.75, "wait": 0.6, "uncertain": 0.6, "no": 0.85}


def agrees(verdict: str, backported: bool) -> bool:
    return (verdict in POSITIVE) == backported


def confidence(kind: str, table: Mapping[str, float] | None = None) -> float:
    """The calibrated confidence of a verdict of this kind (`source:verdict`)."""
    table = TABLE if table is None else table
    if kind in table:
        return table[kind]
    verdict = kind.rsplit(":", 1)[-1]
    return table.get(f"*:{verdict}", PRIOR.get(verdict, 0.5))


def _counts(samples: Iterable[tuple[str, bool]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, agree in samples:
        out[kind][0] += 1
        out[kind][1] += agree
    return out


def fit(cycles: Sequence[Sequence[tuple[str, bool]]], strength: float = STRENGTH) -> dict[str, float]:
    """kind -> confidence from (kind, agreed) samples of several cycles. Per cycle, a kind's rate is
    shrunk toward its verdict's rate in that cycle; the cycles' shrunk rates are then averaged, a
    cycle without the kind contributing its verdict's rate (what an unseen project would show)."""
    per_cycle = [_counts(samples) for samples in cycles]
    verdict_rates = [_verdict_rates(counts) for counts in per_cycle]
    kinds = sorted({k for counts in per_cycle for k in counts})
    table = {}
    for kind in kinds:
        verdict = kind.rsplit(":", 1)[-1]
        rates = []
        for counts, prior in zip(per_cycle, verdict_rates, strict=True):
            n, k = counts.get(kind, (0, 0))
            p = prior.get(verdict, PRIOR.get(verdict, 0.5))
            rates.append((k + strength * p) / (n + strength))
        table[kind] = round(sum(rates) / len(rates), 3)
    for verdict in PRIOR:
        seen = [r[verdict] for r in verdict_rates if verdict in r]
        if seen:
            table[f"*:{verdict}"] = round(sum(seen) / len(seen), 3)
    return table


def _verdict_rates(counts: Mapping[str, Sequence[int]]) -> dict[str, float]:
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, (n, k) in counts.items():
        pooled[kind.rsplit(":", 1)[-1]][0] += n
        pooled[kind.rsplit(":", 1)[-1]][1] += k
    return {v: k / n for v, (n, k) in pooled.items() if n}


BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)


def reliability(pairs: Iterable[tuple[float, bool]], bins: Sequence[float] = BINS) -> list[tuple[str, int, float, float]]:
    """(bin label, commits, mean confidence, observed agreement) per non-empty bin."""
    rows = []
    pairs = list(pairs)
    for low, high in zip(bins, bins[1:], strict=False):
        inside = [(c, a) for c, a in pairs if low <= c < high]
        if inside:
            rows.append((f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}", len(inside),
                         sum(c for c, _ in inside) / len(inside), sum(a for _, a in inside) / len(inside)))
    return rows

"""Replay before enabling (pure): how a provider would have labeled past issues, against the labels
maintainers gave them; the thresholds that reach a target precision; the report.

Definitions (one label = one yes/no question per issue):
- precision(L) = issues the bot would label L that maintainers labeled L / issues the bot would label L;
- recall(L)    = issues maintainers labeled L that the bot would label L / issues maintainers labeled L;
- coverage(L)  = issues the bot would label L / all issues (the share of issues the bot labels L, right
  or wrong); overall coverage = issues that get at least one label / all issues.
The bot "would label L" when L's confidence reaches its threshold (labels.yml min-confidence, else
label-issue.min-confidence), as label-issue applies them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from labeler import md

CURVE_CUTOFFS = tuple(round(x / 10, 1) for x in range(0, 10))


@dataclass(frozen=True)
class Case:
    id: str
    gold: frozenset[str]
    picks: tuple[tuple[str, float], ...]  # (label name as in labels.yml, confidence)

    def applied(self, thresholds: Mapping[str, float]) -> frozenset[str]:
        return frozenset(n for n, c in self.picks if c >= thresholds[n])


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    issues: int = 0  # maintainers' issues with the label (or all issues, overall)
    covered: int = 0  # issues the bot labels (with the label, or with anything, overall)
    total: int = 0  # all issues replayed

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def coverage(self) -> float | None:
        return self.covered / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "issues": self.issues,
            "covered": self.covered,
            "precision": self.precision,
            "recall": self.recall,
            "coverage": self.coverage,
        }


@dataclass(frozen=True)
class Scores:
    per_label: dict[str, Counts]
    overall: Counts


def score(cases: Sequence[Case], labels: Sequence[str], thresholds: Mapping[str, float]) -> Scores:
    per: dict[str, Counts] = {}
    for name in labels:
        tp = fp = fn = gold = covered = 0
        for case in cases:
            hit, truth = name in case.applied(thresholds), name in case.gold
            tp, fp, fn = tp + (hit and truth), fp + (hit and not truth), fn + (truth and not hit)
            gold, covered = gold + truth, covered + hit
        per[name] = Counts(tp, fp, fn, gold, covered, len(cases))
    overall = Counts(
        sum(c.tp for c in per.values()),
        sum(c.fp for c in per.values()),
        sum(c.fn for c in per.values()),
        len(cases),
        sum(1 for case in cases if case.applied(thresholds)),
        len(cases),
    )
    return Scores(per, overall)


def suggest_thresholds(cases: Sequence[Case], labels: Sequence[str], target: float) -> dict[str, float | None]:
    """Per label, the lowest confidence cutoff at which precision reaches `target` (most coverage)."""
    out: dict[str, float | None] = {}
    for name in labels:
        scored = sorted(
            ((c, name in case.gold) for case in cases for n, c in case.picks if n == name), key=lambda t: -t[0]
        )
        best, tp = None, 0
        for i, (conf, right) in enumerate(scored):
            tp += right
            last_of_tie = i + 1 == len(scored) or scored[i + 1][0] != conf
            if last_of_tie and tp / (i + 1) >= target:
                best = conf
        out[name] = best
    return out


def curve(
    cases: Sequence[Case], labels: Sequence[str], cutoffs: Iterable[float] = CURVE_CUTOFFS
) -> list[tuple[float, float | None, float | None]]:
    points = []
    for cut in cutoffs:
        overall = score(cases, labels, dict.fromkeys(labels, cut)).overall
        points.append((cut, overall.precision, overall.coverage))
    return points


def labels_yml(thresholds: Mapping[str, float | None]) -> str:
    """A block to paste into labels.yml (each label's `min-confidence`)."""
    lines = ["labels:"]
    for name, cut in thresholds.items():
        lines.append(f"  - name: {name}")
        lines.append(
            f"    min-confidence: {cut:.2f}"
            if cut is not None
            else "    auto: false  # never reached the target precision in the replay"
        )
    return "\n".join(lines)


@dataclass
class Report:
    source: str
    provider: str
    model: str
    prompt_version: str
    target: float
    scores: Scores
    thresholds: dict[str, float | None]
    curve: list[tuple[float, float | None, float | None]]
    issues: int
    model_calls: int
    cached: int
    tokens_estimate: int
    seconds: float
    ignored_labels: dict[str, int] = field(default_factory=dict)
    stopped: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "provider": self.provider,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "target_precision": self.target,
            "issues": self.issues,
            "per_label": {k: v.as_dict() for k, v in self.scores.per_label.items()},
            "overall": self.scores.overall.as_dict(),
            "suggested_min_confidence": self.thresholds,
            "curve": [{"cutoff": c, "precision": p, "coverage": v} for c, p, v in self.curve],
            "cost": {
                "model_calls": self.model_calls,
                "cached_answers": self.cached,
                "tokens_estimate": self.tokens_estimate,
                "seconds": round(self.seconds, 3),
            },
            "ignored_labels": self.ignored_labels,
            "stopped": self.stopped or None,
        }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def mermaid(points: Sequence[tuple[float, float | None, float | None]]) -> str:
    prec = ", ".join(f"{(p or 0) * 100:.1f}" for _, p, _ in points)
    cov = ", ".join(f"{(v or 0) * 100:.1f}" for _, _, v in points)
    xs = ", ".join(f'"{c:.1f}"' for c, _, _ in points)
    return "\n".join(
        [
            "```mermaid",
            "xychart-beta",
            '    title "Precision (line 1) and coverage (line 2) by cutoff"',
            f"    x-axis [{xs}]",
            '    y-axis "%" 0 --> 100',
            f"    line [{prec}]",
            f"    line [{cov}]",
            "```",
        ]
    )


def render(r: Report) -> str:
    rows = [
        f"| {md.code(n)} | {c.issues} | {c.covered} | {_pct(c.precision)} | {_pct(c.recall)} | "
        f"{_pct(c.coverage)} | {'–' if r.thresholds.get(n) is None else format(r.thresholds[n], '.2f')} |"
        for n, c in r.scores.per_label.items()
    ]
    o = r.scores.overall
    parts = [
        f"### label-issue replay: {md.escape(r.source)}",
        "",
        f"{r.issues} issue(s), provider {md.code(r.provider)}, model {md.code(r.model)}, "
        f"prompt {md.code(r.prompt_version)}; maintainers' labels hidden from the provider.",
        "",
        f"| label | issues | bot would label | precision | recall | coverage | min-confidence for {r.target:.0%} |",
        "|---|---|---|---|---|---|---|",
        *rows,
        f"| **overall** | {o.issues} | {o.covered} | {_pct(o.precision)} | {_pct(o.recall)} | {_pct(o.coverage)} | |",
        "",
        f"Cost: {r.model_calls} provider call(s), {r.cached} answer(s) from the cache, "
        f"≈{r.tokens_estimate} tokens (estimate: 4 characters a token), {r.seconds:.1f} s.",
        "",
    ]
    if r.stopped:
        parts += [f"_Stopped early: {md.escape(r.stopped)}._", ""]
    if r.ignored_labels:
        parts += [
            "Labels in the file but not in labels.yml (ignored): "
            + ", ".join(f"{md.code(k)} ×{v}" for k, v in r.ignored_labels.items()),
            "",
        ]
    parts += [
        f"Suggested thresholds (precision ≥ {r.target:.0%} in this replay); paste into labels.yml:",
        "",
        "```yaml",
        labels_yml(r.thresholds),
        "```",
        "",
        mermaid(r.curve),
    ]
    return "\n".join(parts) + "\n"

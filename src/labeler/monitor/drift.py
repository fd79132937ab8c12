"""Watch the labels over time: drift of a recent window against history, and a review sample.

The issues are split into windows by creation time; each window's label distribution is compared,
and a seeded sample of the bot's recent labels is picked for people to review.

Drift is measured on the share of each label among label uses (issues without a label of the family count as
"(none)", so a bot that abstains more often shows up too). The decision statistic is the population stability
index, PSI = sum((r - b) * ln(r / b)) with shares smoothed by 1e-4; the usual reading is < 0.1 stable,
0.1-0.25 a moderate shift, > 0.25 a large one, and the default threshold 0.2 flags a shift worth a look. Total
variation distance (half the L1 distance: the share of label uses that would have to move) is reported
alongside as the readable number.
All functions are pure; the command does the I/O.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NONE = "(none)"
EPS = 1e-4


@dataclass(frozen=True)
class Drift:
    labels: list[str]
    recent: dict[str, int]
    baseline: dict[str, int]
    psi: float
    tvd: float
    drifted: bool
    judged: bool  # False when a window had too few issues to say anything
    n_recent: int
    n_baseline: int
    threshold: float


def _when(issue: Any) -> dt.datetime | None:
    raw = getattr(issue, "created_at", None)
    if not raw:
        return None
    return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))


def windows(
    issues: Sequence[Any], *, until: dt.datetime, days: int, baseline_days: int = 365
) -> tuple[list[Any], list[Any]]:
    """Recent = created in the last `days` before `until`; baseline = the `baseline_days` before
    that (0 = all earlier history)."""
    start = until - dt.timedelta(days=days)
    base_start = start - dt.timedelta(days=baseline_days) if baseline_days else None
    recent, baseline = [], []
    for issue in issues:
        when = _when(issue)
        if when is None or when > until:
            continue
        if when >= start:
            recent.append(issue)
        elif base_start is None or when >= base_start:
            baseline.append(issue)
    return recent, baseline


def distribution(issues: Sequence[Any], *, family: str | None = None, ignore: Sequence[str] = ()) -> Counter[str]:
    counts: Counter[str] = Counter()
    for issue in issues:
        kept = [
            lbl for lbl in issue.labels if lbl not in ignore and (family is None or fnmatch.fnmatchcase(lbl, family))
        ]
        counts.update(kept or [NONE])
    return counts


def _shares(counts: Counter[str], labels: Sequence[str]) -> list[float]:
    total = sum(counts.values()) or 1
    raw = [counts.get(lbl, 0) / total + EPS for lbl in labels]
    norm = sum(raw)
    return [r / norm for r in raw]


def psi(recent: Sequence[float], baseline: Sequence[float]) -> float:
    return sum((r - b) * math.log(r / b) for r, b in zip(recent, baseline))


def drift(
    recent: Sequence[Any],
    baseline: Sequence[Any],
    *,
    family: str | None = None,
    threshold: float = 0.2,
    min_issues: int = 20,
    ignore: Sequence[str] = (),
) -> Drift:
    rc, bc = distribution(recent, family=family, ignore=ignore), distribution(baseline, family=family, ignore=ignore)
    labels = sorted(set(rc) | set(bc), key=lambda lbl: (-(rc[lbl] + bc[lbl]), lbl))
    r, b = _shares(rc, labels), _shares(bc, labels)
    value = psi(r, b)
    tvd = 0.5 * sum(abs(x - y) for x, y in zip(r, b))
    judged = len(recent) >= min_issues and len(baseline) >= min_issues
    return Drift(
        labels=labels,
        recent=dict(rc),
        baseline=dict(bc),
        psi=value,
        tvd=tvd,
        drifted=judged and value > threshold,
        judged=judged,
        n_recent=len(recent),
        n_baseline=len(baseline),
        threshold=threshold,
    )


def sample(issues: Sequence[Any], n: int, *, label: str | None, seed: str) -> list[Any]:
    """n issues carrying `label` (the bot's provenance label; None = any), chosen by a seeded hash:
    the same seed picks the same issues, a new seed (e.g. the date) a new sample."""
    pool = [i for i in issues if label is None or label in i.labels]

    def rank(issue: Any) -> str:
        return hashlib.sha256(f"{seed}:{issue.number}".encode()).hexdigest()

    return sorted(sorted(pool, key=rank)[:n], key=lambda i: i.number)


def verdict(d: Drift) -> str:
    if not d.judged:
        return f"not judged: too few issues (recent {d.n_recent}, baseline {d.n_baseline})"
    size = "large" if d.psi > 0.25 else "moderate" if d.psi > 0.1 else "small"
    flag = "DRIFT" if d.drifted else "no drift"
    return f"{flag}: PSI {d.psi:.3f} ({size}; threshold {d.threshold}), total variation {d.tvd:.1%}"


def render(d: Drift, picked: Sequence[Any], *, family: str | None, days: int, label: str | None) -> str:
    from labeler import md

    lines = [
        "### Triage monitor",
        "",
        f"**{verdict(d)}**",
        "",
        f"Labels{f' matching `{family}`' if family else ''}: last {days} days ({d.n_recent} issues) "
        f"against the baseline ({d.n_baseline} issues).",
        "",
        "| label | recent | share | baseline | share | change |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rt, bt = sum(d.recent.values()) or 1, sum(d.baseline.values()) or 1
    for lbl in d.labels[:40]:
        r, b = d.recent.get(lbl, 0) / rt, d.baseline.get(lbl, 0) / bt
        lines.append(
            f"| {md.escape(lbl)} | {d.recent.get(lbl, 0)} | {r:.1%} | {d.baseline.get(lbl, 0)} | {b:.1%} "
            f"| {(r - b) * 100:+.1f} pts |"
        )
    who = f"labelled `{md.escape(label)}`" if label else "recent"
    lines += ["", f"#### Review sample: {len(picked)} {who} issues", ""]
    if not picked:
        lines.append("_(none in the window)_")
    for issue in picked:
        labels = ", ".join(md.code(lbl) for lbl in issue.labels) or "_(no labels)_"
        lines.append(f"- [ ] [#{issue.number}]({issue.html_url or ''}) {md.escape(md.cut(issue.title, 120))}: {labels}")
    lines += [
        "",
        "Tick an issue once a human has checked its labels; fix wrong ones on the issue so the next "
        "training run learns from them.",
    ]
    return "\n".join(lines) + "\n"

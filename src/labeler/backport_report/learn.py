"""Which of the rules' own proposals this repository's maintainers follow, learnt from the range itself.

A rule kind (`fix-report:wait`, the verdict's `kind`) that proposes a pick (yes or wait) is measured on
the commits of the range old enough to have been decided: landed at least `window` days before the
clock. Some of them are still to be picked (a maintainer who picks late), so the share the stable
branch shows by then is not the share eventually picked: the eventual share is the Kaplan-Meier
estimate, each commit picked at its pick delay or censored (not picked yet) at its age, and its
uncertainty the Wilson interval on Greenwood's effective number of commits (without censoring both
are exactly picked/decided). A kind whose eventual share is confidently below the target (the upper
bound at one-sided 95 % is below it, on at least `min_decided` decided commits) is demoted on the
commits not yet decided: yes and wait become uncertain, with the eventual share as the confidence.
A commit is never judged by its own outcome: only decided commits count, and only undecided ones are
demoted. Pure: plain values in, plain values out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

PROPOSING = ("yes", "wait")
TARGET = 0.95  # the precision every proposal must reach
WINDOW_DAYS = 30.0  # a commit younger than this is not judged yet (most picks land within it)
MIN_DECIDED = 15  # below this a share says little whatever its bound
Z = 1.645  # one-sided 95 %: demote only when the shortfall is unlikely to be chance


@dataclass(frozen=True)
class Seen:
    """One commit as the learner sees it: its rule kind and verdict, when it landed, when (if ever) it
    was first found on a stable branch."""

    sha: str
    kind: str
    verdict: str
    landed: datetime | None
    picked: datetime | None


@dataclass(frozen=True)
class Learned:
    decided: int
    picked: int
    share: float  # picked by the clock / decided
    upper: float
    demoted: bool
    eventual: float  # Kaplan-Meier: picked at some delay, counting picks still to come
    effective: float  # Greenwood's effective number of decided commits behind `eventual`


def wilson_upper(k: float, n: float, z: float = Z) -> float:
    """Upper end of the Wilson score interval for k successes out of n (1.0 with no trial)."""
    if n <= 0:
        return 1.0
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def decided(seen: Seen, now: datetime, window: float) -> bool:
    return seen.landed is not None and seen.landed <= now - timedelta(days=window)


def kaplan_meier(followed: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    """Eventual share picked and its effective number of commits, from (days, picked) pairs: picked
    at that delay, or not picked yet at that age (censored). Ties: picks before censorings."""
    at_risk, survive, greenwood = len(followed), 1.0, 0.0
    for _, group in groupby(sorted(followed, key=lambda x: (x[0], not x[1])), key=lambda x: x[0]):
        outcomes = [picked for _, picked in group]
        d = sum(outcomes)
        if d and d < at_risk:
            survive *= 1 - d / at_risk
            greenwood += d / (at_risk * (at_risk - d))
        elif d:
            survive = 0.0
        at_risk -= len(outcomes)
    share = 1 - survive
    variance = survive * survive * greenwood
    # Without censoring the variance is share * (1 - share) / n, so this is n; with it, fewer.
    return share, share * survive / variance if variance > 0 else float(len(followed))


def learn(
    commits: Sequence[Seen],
    now: datetime,
    *,
    window: float = WINDOW_DAYS,
    target: float = TARGET,
    min_decided: int = MIN_DECIDED,
) -> dict[str, Learned]:
    """Per proposing kind with at least one decided commit: decided, picked by `now`, share, eventual
    share, bound, and whether it is demoted."""
    followed: dict[str, list[tuple[float, bool]]] = {}
    for seen in commits:
        if seen.verdict in PROPOSING and seen.landed is not None and decided(seen, now, window):
            picked = seen.picked is not None and seen.picked <= now
            days = ((seen.picked if picked and seen.picked else now) - seen.landed).total_seconds() / 86400
            followed.setdefault(seen.kind, []).append((days, picked))
    out = {}
    for kind, pairs in sorted(followed.items()):
        n, k = len(pairs), sum(picked for _, picked in pairs)
        eventual, effective = kaplan_meier(pairs)
        upper = wilson_upper(eventual * effective, effective)
        out[kind] = Learned(n, k, k / n, upper, n >= min_decided and upper < target, eventual, effective)
    return out


def demote(
    verdicts: Mapping[str, Mapping[str, Any]],
    commits: Sequence[Seen],
    learned: Mapping[str, Learned],
    now: datetime,
    window: float = WINDOW_DAYS,
) -> dict[str, dict[str, Any]]:
    """The verdicts with every undecided proposal of a demoted kind turned into a suggestion."""
    out = {sha: dict(v) for sha, v in verdicts.items()}
    for seen in commits:
        got = learned.get(seen.kind)
        v = out.get(seen.sha)
        if not got or not got.demoted or v is None or v["verdict"] not in PROPOSING or decided(seen, now, window):
            continue
        rule = seen.kind.rsplit(":", 1)[0]
        v.update(
            verdict="uncertain",
            confidence=round(got.eventual, 3),
            learned={"picked": got.picked, "decided": got.decided, "eventual": round(got.eventual, 3)},
            reason=(
                f"this repository picks about {round(got.eventual * 100)} % of `{rule}` commits this cycle "
                f"({got.picked} of {got.decided} picked so far): suggested, not proposed. {v['reason']}"
            ),
        )
    return out


def as_json(learned: Mapping[str, Learned]) -> dict[str, dict[str, Any]]:
    return {
        kind: {
            "decided": x.decided,
            "picked": x.picked,
            "share": round(x.share, 3),
            "eventual": round(x.eventual, 3),
            "effective": round(x.effective, 1),
            "upper": round(x.upper, 3),
            "demoted": x.demoted,
        }
        for kind, x in learned.items()
    }


def summary(learned: Mapping[str, Learned]) -> str:
    """One line: which kinds were demoted, with their figures."""
    if not learned:
        return "learnt from this range's picks: nothing decided yet"
    down = [f"{k} {x.picked}/{x.decided} (~{x.eventual:.0%} eventually)" for k, x in learned.items() if x.demoted]
    measured = sum(x.decided >= MIN_DECIDED for x in learned.values())
    if not down:
        return f"learnt from this range's picks: {measured} rule kinds measured, none below {TARGET:.0%} picked"
    return f"learnt from this range's picks: suggested, not proposed (picked/decided): {', '.join(down)}"

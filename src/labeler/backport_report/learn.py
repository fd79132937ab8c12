"""Which of the rules' own proposals this repository's maintainers follow, learnt from the range itself.

A rule kind (`fix-report:wait`, the verdict's `kind`) that proposes a pick (yes or wait) is measured on
the commits of the range old enough to have been decided: landed at least `window` days before the
clock. Its share picked is what the stable branch shows by then. A kind whose share is confidently
below the target (the Wilson upper bound at one-sided 95 % is below it, on at least `min_decided`
decided commits) is demoted on the commits not yet decided: yes and wait become uncertain, with the
measured share as the confidence. A commit is never judged by its own outcome: only decided commits
count, and only undecided ones are demoted. Pure: plain values in, plain values out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PROPOSING = ("yes", "wait")
TARGET = 0.95  # the precision every proposal must reach
WINDOW_DAYS = 30.0  # most picks land within this of the commit (about 9 in 10 on the cycles measured)
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
    share: float
    upper: float
    demoted: bool


def wilson_upper(k: int, n: int, z: float = Z) -> float:
    """Upper end of the Wilson score interval for k successes out of n (1.0 with no trial)."""
    if n <= 0:
        return 1.0
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def decided(seen: Seen, now: datetime, window: float) -> bool:
    return seen.landed is not None and seen.landed <= now - timedelta(days=window)


def learn(
    commits: Sequence[Seen],
    now: datetime,
    *,
    window: float = WINDOW_DAYS,
    target: float = TARGET,
    min_decided: int = MIN_DECIDED,
) -> dict[str, Learned]:
    """Per proposing kind with at least one decided commit: decided, picked by `now`, share, bound,
    and whether it is demoted."""
    counts: dict[str, list[int]] = {}
    for seen in commits:
        if seen.verdict in PROPOSING and decided(seen, now, window):
            tally = counts.setdefault(seen.kind, [0, 0])
            tally[0] += 1
            tally[1] += seen.picked is not None and seen.picked <= now
    out = {}
    for kind, (n, k) in sorted(counts.items()):
        upper = wilson_upper(k, n)
        out[kind] = Learned(n, k, k / n, upper, n >= min_decided and upper < target)
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
            confidence=round(got.share, 3),
            learned={"picked": got.picked, "decided": got.decided},
            reason=(
                f"this repository picked {round(got.share * 100)} % of `{rule}` commits this cycle "
                f"({got.picked} of {got.decided}): suggested, not proposed. {v['reason']}"
            ),
        )
    return out


def as_json(learned: Mapping[str, Learned]) -> dict[str, dict[str, Any]]:
    return {
        kind: {"decided": x.decided, "picked": x.picked, "share": round(x.share, 3), "demoted": x.demoted}
        for kind, x in learned.items()
    }


def summary(learned: Mapping[str, Learned]) -> str:
    """One line: which kinds were demoted, with their figures."""
    if not learned:
        return "learnt from this range's picks: nothing decided yet"
    down = [f"{k} {x.picked}/{x.decided}" for k, x in learned.items() if x.demoted]
    measured = sum(x.decided >= MIN_DECIDED for x in learned.values())
    if not down:
        return f"learnt from this range's picks: {measured} rule kinds measured, none below {TARGET:.0%} picked"
    return f"learnt from this range's picks: suggested, not proposed (picked/decided): {', '.join(down)}"

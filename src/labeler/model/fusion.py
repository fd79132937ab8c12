"""How much the sentence-embedding model counts: its share of the fused probabilities.

The share is chosen on held-out scores only (the out-of-fold probabilities training computes
anyway for the thresholds, or the --val file), never on the issues a benchmark measures: the
one with the lowest log loss on SHARE_GRID, ties to the smaller share. Log loss, not F1:
on ~240 issues per repository, F1 over three labels moves in steps of one issue and picks
noise; log loss uses every probability. Choosing it on each repository's own history matters
because the right share differs between repositories (docs/triage-intelligence.md, "Offline
model", has the measurements and the commands).
"""

from __future__ import annotations

from typing import Any

SHARE_GRID = tuple(i / 10 for i in range(11))
_EPS = 1e-9


def log_loss(y: Any, p: Any, mode: str) -> float:
    """Single-label: -mean log p(gold label). Multi-label: mean binary cross-entropy per issue and label."""
    import numpy as np

    if mode == "single":
        return float(-np.mean(np.log(np.clip((p * y).sum(axis=1), _EPS, None))))
    q = np.clip(p, _EPS, 1 - _EPS)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def choose_share(p_text: Any, p_embed: Any, y: Any, mode: str) -> tuple[float, dict[str, float]]:
    """The embedding model's share with the lowest held-out log loss (ties: the smaller share)."""
    losses = {s: log_loss(y, (1 - s) * p_text + s * p_embed, mode) for s in SHARE_GRID}
    best = min(SHARE_GRID, key=lambda s: (round(losses[s], 9), s))
    return best, {f"{s:.1f}": round(v, 4) for s, v in losses.items()}

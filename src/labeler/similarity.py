"""ROUGE-L (longest common subsequence F-measure), pure Python.

Matches rouge_score's `RougeScorer(["rougeL"], use_stemmer=False)`: lower-case, non-alphanumeric
runs become spaces, whitespace tokens. Pure Python keeps the rouge-score sdist (absl, nltk) out
of the action's install; the O(n*m) LCS is fine for seed-sized texts (see benchmarks/).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _NON_ALNUM.sub(" ", text.lower()).split()


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    if len(b) > len(a):  # keep the DP row short
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(reference: str | Sequence[str], candidate: str | Sequence[str]) -> float:
    """ROUGE-L F1 between two texts (or token lists); 0.0 when either is empty."""
    ref = tokens(reference) if isinstance(reference, str) else reference
    cand = tokens(candidate) if isinstance(candidate, str) else candidate
    if not ref or not cand:
        return 0.0
    lcs = lcs_length(ref, cand)
    if not lcs:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def max_rouge_l(candidate: str | Sequence[str], pool: Iterable[Sequence[str]]) -> float:
    """The highest ROUGE-L of `candidate` against already-tokenised texts (0.0 for an empty pool)."""
    cand = tokens(candidate) if isinstance(candidate, str) else candidate
    return max((rouge_l(p, cand) for p in pool), default=0.0)

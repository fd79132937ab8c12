"""The offline `keywords` provider: label names, aliases and examples matched as whole words.

No key, no network, deterministic. A title hit weighs twice a body hit; confidence grows with
the evidence (1 - exp(-score / 2)): one body hit ~0.39, one title hit ~0.63, a title hit and a
body hit ~0.78. It answers in the same shape as the models.
"""
from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from labeler.config import Label

VERSION = "keywords-1"
BODY_LIMIT = 20_000


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s_\-/:]+", phrase.lower()) if w]
    # A light stem: "crash" also finds "crashes", "crashed", "crashing".
    return re.compile(r"(?<![\w])" + r"[\s_\-/:]+".join(words) + r"(?:s|es|ed|ing)?(?![\w])")


def _terms(label: Label) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in (label.name, *label.aliases, *label.examples) if t.strip()))


def score(label: Label, title: str, body: str) -> tuple[float, list[str]]:
    title, body = title.lower(), body[:BODY_LIMIT].lower()
    total, hits = 0.0, []
    for term in _terms(label):
        pattern = _pattern(term)
        in_title, in_body = bool(pattern.search(title)), bool(pattern.search(body))
        if in_title or in_body:
            total += 2.0 * in_title + 1.0 * in_body
            hits.append(term)
    return total, hits


def suggest(labels: tuple[Label, ...], title: str, body: str, max_labels: int = 3) -> dict[str, Any]:
    scored = []
    for label in labels:
        total, hits = score(label, title, body)
        if total > 0:
            scored.append((round(1 - math.exp(-total / 2), 3), label.name, hits))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen = scored[:max_labels]
    rationale = "; ".join(f"{name}: matched {', '.join(repr(h) for h in hits[:3])}" for _, name, hits in chosen)
    return {"labels": [{"name": name, "confidence": conf} for conf, name, _ in chosen],
            "rationale": rationale or "no label name, alias or example appears in the issue",
            "version": VERSION}

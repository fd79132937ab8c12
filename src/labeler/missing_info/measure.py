"""Do missing-info's asks beat chance on this repository? Measured on its own history of one label (pure).

One past issue = one Case: did maintainers give it the label (`needs more info`), and which items would the
rules ask for (steps, version, ...; `template` = a section of the template left empty). For an item:

- base rate = issues with the label / issues (what asking at random would hit);
- precision = issues asked for the item that carry the label / issues asked for it;
- recall    = issues asked for the item that carry the label / issues with the label;
- lift      = precision / base rate.

An item beats chance when lift >= min-lift and recall >= min-recall (labels.yml `missing-info:`); the
items that do, together, must still beat it (the weakest are dropped until they do). With less history
than min-history issues or min-labeled labelled ones there is nothing to measure (`history` False).
`realised` replays the history in time order: each issue is asked only what the issues before it earned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from labeler.missing_info import checks, kind

ITEMS = (*checks.DESCRIBE, "template")


@dataclass(frozen=True)
class Case:
    id: str
    gold: bool
    asks: frozenset[str]
    kind: str = "bug"


@dataclass(frozen=True)
class Gate:
    min_lift: float = 1.25
    min_recall: float = 0.2
    min_history: int = 50
    min_labeled: int = 10


@dataclass(frozen=True)
class Counts:
    issues: int = 0
    positives: int = 0
    asked: int = 0
    hits: int = 0

    @property
    def base_rate(self) -> float | None:
        return self.positives / self.issues if self.issues else None

    @property
    def precision(self) -> float | None:
        return self.hits / self.asked if self.asked else None

    @property
    def recall(self) -> float | None:
        return self.hits / self.positives if self.positives else None

    @property
    def lift(self) -> float | None:
        p, b = self.precision, self.base_rate
        return p / b if p is not None and b else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "issues": self.issues,
            "labeled": self.positives,
            "asked": self.asked,
            "asked_and_labeled": self.hits,
            "base_rate": _round(self.base_rate),
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "lift": _round(self.lift),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def has_label(labels: Iterable[str], label: str) -> bool:
    want = label.casefold()
    return any(name.casefold() == want for name in labels)


def case_of(ident: str, title: str, body: str | None, labels: Sequence[str], label: str) -> Case:
    """What the rules would have asked of a past issue, its kind read from its own words (the labels it
    carries now were given later, so they never choose the checklist here)."""
    what = kind.of_text(title, body)
    info = checks.check(title, body, kind=what)
    asks = frozenset(info.keys) | ({"template"} if info.empty_headings else frozenset())
    return Case(ident, has_label(labels, label), asks, what)


def counts(cases: Sequence[Case], asks: Callable[[Case], bool]) -> Counts:
    asked = [c for c in cases if asks(c)]
    return Counts(len(cases), sum(c.gold for c in cases), len(asked), sum(c.gold for c in asked))


def why_not(c: Counts, gate: Gate) -> str:
    """Empty when the asks beat chance; else why not, with the figures."""
    if not c.asked:
        return "never asked"
    precision, recall, base = c.precision or 0.0, c.recall or 0.0, c.base_rate or 0.0
    figures = f"precision {precision:.1%} vs base rate {base:.1%} ({precision / base if base else 0:.2f}×)"
    if precision < gate.min_lift * base:
        return f"{figures}, below {gate.min_lift:g}×"
    if recall < gate.min_recall:
        return f"{figures} but recall {recall:.1%} < {gate.min_recall:.0%}"
    return ""


@dataclass(frozen=True)
class Decision:
    history: bool  # enough history to measure anything
    allowed: tuple[str, ...]  # items that may ask in public, best first
    per_item: dict[str, Counts]
    why: dict[str, str]  # item -> why it stays quiet ("" when allowed)
    overall: Counts  # every ask the rules make (no gate)
    chosen: Counts  # the asks of the allowed items together
    gate: Gate = field(default_factory=Gate)


def decide(cases: Sequence[Case], gate: Gate, items: Sequence[str] = ITEMS) -> Decision:
    overall = counts(cases, lambda c: bool(c.asks))
    per = {item: counts(cases, lambda c, i=item: i in c.asks) for item in items}  # type: ignore[misc]
    if overall.issues < gate.min_history or overall.positives < gate.min_labeled:
        short = (
            f"too little history: {overall.issues} issue(s), {overall.positives} labeled "
            f"(needs {gate.min_history} and {gate.min_labeled})"
        )
        return Decision(False, (), per, dict.fromkeys(items, short), overall, Counts(overall.issues), gate)
    why = {item: why_not(c, gate) for item, c in per.items()}
    allowed = sorted((i for i in items if not why[i]), key=lambda i: -(per[i].precision or 0.0))
    chosen = counts(cases, lambda c: bool(c.asks & set(allowed)))
    while allowed and why_not(chosen, gate):
        dropped = allowed.pop()
        why[dropped] = f"beats chance alone but not with the others ({why_not(chosen, gate)})"
        chosen = counts(cases, lambda c: bool(c.asks & set(allowed)))
    return Decision(True, tuple(allowed), per, why, overall, chosen, gate)


def realised(cases: Sequence[Case], gate: Gate, items: Sequence[str] = ITEMS) -> Counts:
    """The default's public asks replayed in time order (`cases` oldest first): each issue is asked only
    for the items the issues before it earned. Counts cover the issues that had enough history."""
    seen: list[Case] = []
    issues = positives = asked = hits = 0
    decision: Decision | None = None
    for i, case in enumerate(cases):
        if decision is None or i % _every(i) == 0:
            decision = decide(seen, gate, items)
        if decision.history:
            ask = bool(case.asks & set(decision.allowed))
            issues, positives = issues + 1, positives + case.gold
            asked, hits = asked + ask, hits + (ask and case.gold)
        seen.append(case)
    return Counts(issues, positives, asked, hits)


def _every(i: int) -> int:
    """Re-measure after every issue while the history is short, then every 1 % of it (the figures move
    slowly by then), so a replay of thousands of issues stays linear-ish."""
    return max(1, i // 100)

"""Which of the check's asks go out in public (pure).

- `ask: always`: every ask, as the rules find them.
- `ask: measured` (the default) with enough history: only the items whose asks beat the base rate of the
  label on this repository's history (measure.decide); `template` lets out the asks for an empty section.
- `ask: measured` without that history: only the mildest ask, a section of the repository's own issue
  template left empty (none when it has no template).

Everything else is held back: not commented, reported in the job summary with the figures that held it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from labeler import md
from labeler.missing_info import measure, templates
from labeler.missing_info.checks import MissingInfo

_QUOTED = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class Policy:
    mode: str  # always | measured | template
    allowed: tuple[str, ...] = ()  # measured: items that may ask
    template_headings: frozenset[str] = frozenset()  # template: the repository's own headings (normalised)
    why: str = ""  # how it was decided, with the figures (job summary)


def _empty_sections(entry: str) -> list[str]:
    """The headings an ask quotes when it asks for an empty template section ('"Steps" / "Repro"')."""
    return _QUOTED.findall(entry) if entry.startswith('"') else []


def _keeps(policy: Policy, key: str, entry: str) -> bool:
    if policy.mode == "always":
        return True
    sections = _empty_sections(entry)
    if policy.mode == "template":
        return bool(sections) and all(templates.normalise(h) in policy.template_headings for h in sections)
    return key in policy.allowed or (bool(sections) and "template" in policy.allowed)


def split(info: MissingInfo, policy: Policy) -> tuple[MissingInfo, list[str]]:
    """(what to ask in public, what is held back)."""
    if info.complete or not info.keys:  # an LLM's or a model's free-text answer has no items to gate
        return info, []
    keep = [(k, e) for k, e in zip(info.keys, info.missing) if _keeps(policy, k, e)]
    held = [e for k, e in zip(info.keys, info.missing) if not _keeps(policy, k, e)]
    return replace(info, missing=[e for _, e in keep], keys=tuple(k for k, _ in keep), complete=not keep), held


def explain(decision: measure.Decision, label: str) -> str:
    """One paragraph for the job summary: the history, the gate, and each item's figures."""
    o, gate = decision.overall, decision.gate
    head = (
        f"History: {o.issues} issue(s), {o.positives} labeled {md.code(label)} (base rate {(o.base_rate or 0):.1%}). "
        f"An item asks in public when its precision is at least {gate.min_lift:g}× the base rate "
        f"at recall ≥ {gate.min_recall:.0%}."
    )
    if not decision.history:
        reason = next(iter(decision.why.values()), "")
        return f"{head} {reason[:1].upper()}{reason[1:]}: only an empty section of the issue template is asked for."
    lines = [head, ""]
    for item, c in decision.per_item.items():
        verdict = "asks" if item in decision.allowed else f"quiet: {decision.why[item]}"
        lines.append(f"- {item}: precision {_pct(c.precision)}, recall {_pct(c.recall)}, asked {c.asked} → {verdict}")
    return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def policy_for(decision: measure.Decision, own: templates.Templates, label: str) -> Policy:
    why = explain(decision, label)
    if decision.history:
        return Policy("measured", decision.allowed, own.headings, why)
    none = "" if own.headings else " This repository has no issue template."
    return Policy("template", (), own.headings, f"{why}{none}")

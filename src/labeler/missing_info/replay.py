"""`missing-info --replay FILE`: how the rules' asks would have fared against a label (default `needs more
info`) on a history file, overall and per item, and whether the default would ask in public on a
repository with this history (`default_asks`). Measured in time order: `time_order` replays the default
issue by issue, each judged only on the issues before it."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from labeler import md
from labeler.errors import UserError
from labeler.history import past
from labeler.missing_info import history, measure


def cases_of(issues: Sequence[past.PastIssue], label: str) -> list[measure.Case]:
    return [measure.case_of(p.id, p.title, p.body, p.labels, label) for p in past.in_time_order(issues)]


def report(cases: Sequence[measure.Case], gate: measure.Gate, *, label: str, source: str) -> dict[str, Any]:
    decision = measure.decide(cases, gate)
    return {
        "source": source,
        "label": label,
        "thresholds": {
            "min_lift": gate.min_lift,
            "min_recall": gate.min_recall,
            "min_history": gate.min_history,
            "min_labeled": gate.min_labeled,
        },
        "kinds": dict(Counter(c.kind for c in cases)),
        "overall": decision.overall.as_dict(),
        "items": {
            item: {**c.as_dict(), "asks": item in decision.allowed, "why_quiet": decision.why[item] or None}
            for item, c in decision.per_item.items()
        },
        "default_asks": bool(decision.allowed),
        "default_items": list(decision.allowed),
        "default": decision.chosen.as_dict(),
        "enough_history": decision.history,
        # without enough history the default asks only for an empty section of the repository's own template
        "mode": "measured" if decision.history else "template-only",
        "time_order": measure.realised(cases, gate).as_dict(),
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _row(name: str, c: dict[str, Any], verdict: str) -> str:
    return (
        f"| {name} | {c['asked']} | {_pct(c['precision'])} | {_pct(c['recall'])} | {_pct(c['base_rate'])} | "
        f"{'–' if c['lift'] is None else format(c['lift'], '.2f')} | {verdict} |"
    )


def render(r: dict[str, Any]) -> str:
    t = r["thresholds"]
    rows = [
        _row(md.code(item), c, "asks" if c["asks"] else md.escape(c["why_quiet"] or "quiet"))
        for item, c in r["items"].items()
    ]
    asks = "asks in public" if r["default_asks"] else "stays quiet"
    items = ", ".join(md.code(i) for i in r["default_items"]) or "none"
    return "\n".join(
        [
            f"### missing-info replay (rules): {md.escape(r['source'])}",
            "",
            f"{r['overall']['issues']} issue(s), {r['overall']['labeled']} labeled {md.code(r['label'])}; "
            f"an item asks when precision ≥ {t['min_lift']:g}× the base rate at recall ≥ {t['min_recall']:.0%}.",
            "",
            "| item | asked | precision | recall | base rate | lift | default |",
            "|---|---|---|---|---|---|---|",
            *rows,
            _row("**any ask (rules, no gate)**", r["overall"], ""),
            _row("**the default's asks**", r["default"], ""),
            _row("**in time order**", r["time_order"], "each issue judged on the ones before it"),
            "",
            f"**default_asks: {str(r['default_asks']).lower()}**: on this history the default {asks} (items: {items})"
            + (
                "."
                if r["enough_history"]
                else "; too little history to measure: it asks only for an empty section "
                "of the repository's own issue template."
            ),
            "",
        ]
    )


def run(path: str, gate: measure.Gate, *, label: str, json_path: str | None, bot_login: str = "") -> dict[str, Any]:
    issues = history.from_file(path, label, bot_login=bot_login)
    if not any(measure.has_label(p.labels, label) for p in issues):
        found = Counter(name for p in issues for name in p.labels)
        raise UserError(
            f"no issue in the replay file carries the label {label!r} (set --label; labels found: "
            f"{', '.join(n for n, _ in found.most_common(10)) or 'none'})",
            file=path,
        )
    result = report(cases_of(issues, label), gate, label=label, source=os.path.basename(path))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
    return result

"""The offline `keywords` provider on NLBSE'24: precision and coverage per label, no training.

    .venv/bin/python benchmarks/keywords_nlbse.py [--labels benchmarks/keywords_labels.yml] [--min-confidence 0.6]

Every issue of the train split (1,500: bug / feature / question) goes through keywords.suggest
with the labels of --labels (the project's example taxonomy, `enhancement` named `feature`).
A label counts as applied when it is the top suggestion with confidence >= --min-confidence
(label-issue's default in labels.yml is 0.6). Per label: precision (applied and right / applied),
coverage (issues it was applied to / issues that carry it), and the same for all labels together.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from classifier_common import DATA, skip
from labeler import config
from labeler.examples import read_jsonl
from labeler.label_issue import keywords

PATH = DATA / "nlbse24" / "derived" / "issues_train.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", default=str(Path(__file__).with_name("keywords_labels.yml")))
    parser.add_argument("--min-confidence", type=float, default=0.6)
    parser.add_argument(
        "--sweep", default="0.6,0.7,0.8,0.85,0.9", help="also print precision per label at these confidence floors"
    )
    args = parser.parse_args()
    if not PATH.is_file():
        skip(f"NLBSE'24 data not found at {PATH}")
    rows = read_jsonl(str(PATH))
    labels = config.load(args.labels).applicable()
    carried = Counter(e.labels[0] for e in rows)
    started = time.perf_counter()
    answers = [keywords.suggest(labels, e.title, e.body)["labels"] for e in rows]
    ms = 1000 * (time.perf_counter() - started) / len(rows)
    report(rows, answers, carried, args.min_confidence, args.labels, ms)
    kinds(rows, labels)
    print("sweep (precision / coverage per label):")
    for floor in [float(x) for x in args.sweep.split(",") if x]:
        applied, right = count(rows, answers, floor)
        cells = [
            f"{n} {right[n] / applied[n] if applied[n] else float('nan'):.3f} / {applied[n] / carried[n]:5.1%}"
            for n in sorted(carried)
        ]
        ok = all(applied[n] and right[n] / applied[n] >= 0.8 for n in carried)
        print(f"  confidence >= {floor:.2f}: " + "   ".join(cells) + ("   all >= 0.8" if ok else ""))


def kinds(rows: list, labels: tuple) -> None:
    """Precision of the top label by evidence kind (what keywords.KINDS is set from)."""
    tally: dict[str, Counter] = {}
    for e in rows:
        found = keywords.evidence(labels, e.title, e.body)
        if not found:
            continue
        name, _, kind, _ = max(found, key=lambda f: (keywords.confidence(f[2]), f[1]))
        tally.setdefault(kind, Counter())[(name, name == e.labels[0])] += 1
    print("precision of the top label by evidence kind (right/applied per label; lowest -> keywords.KINDS):")
    for kind, c in sorted(tally.items(), key=lambda kv: -keywords.confidence(kv[0])):
        cells, worst = [], 1.0
        for n in sorted({n for n, _ in c}):
            a = c[(n, True)] + c[(n, False)]
            cells.append(f"{n} {c[(n, True)] / a:.2f} ({c[(n, True)]}/{a})")
            worst = min(worst, c[(n, True)] / a) if a >= 5 else worst
        floor = f"{worst:.2f}" if worst < 1.0 or any(c[(n, True)] + c[(n, False)] >= 5 for n, _ in c) else "  - "
        print(f"  {kind:<40} confidence {keywords.confidence(kind):.2f}  lowest (n>=5) {floor}   " + "  ".join(cells))


def count(rows: list, answers: list, floor: float) -> tuple[Counter, Counter]:
    applied, right = Counter(), Counter()
    for e, ans in zip(rows, answers):
        if ans and ans[0]["confidence"] >= floor:
            applied[ans[0]["name"]] += 1
            right[ans[0]["name"]] += ans[0]["name"] == e.labels[0]
    return applied, right


def report(rows: list, answers: list, carried: Counter, floor: float, path: str, ms: float) -> None:
    applied, right = count(rows, answers, floor)
    print(
        f"keywords ({keywords.VERSION}) on NLBSE'24 train, {len(rows)} issues, labels {path}, "
        f"applied = top label with confidence >= {floor}"
    )
    for name in sorted(carried):
        p = right[name] / applied[name] if applied[name] else float("nan")
        print(
            f"  {name:<10} precision {p:.3f}  coverage {applied[name] / carried[name]:6.1%}  "
            f"({right[name]} right of {applied[name]} applied; {carried[name]} carry it)"
        )
    total_a, total_r = sum(applied.values()), sum(right.values())
    print(
        f"  {'all':<10} precision {total_r / max(1, total_a):.3f}  coverage {total_a / len(rows):6.1%}   "
        f"{ms:.2f} ms/issue"
    )


if __name__ == "__main__":
    main()

"""Quality of `backport-report --provider rules` against what maintainers actually backported.

    .venv/bin/python benchmarks/backport_quality.py                  # ../shared/data/backport/*.jsonl
    .venv/bin/python benchmarks/backport_quality.py --synthetic 1000 # generated corpus: NOT comparable
    .venv/bin/python benchmarks/backport_quality.py --provider anthropic --model M --cache FILE
        # a model instead of the rules (needs ANTHROPIC_API_KEY or OPENAI_API_KEY; costs one call per commit)

Each file is replayed into a real git repository (benchmarks/backport_replay.py), the command runs
on it exactly as in a workflow, and its verdicts are scored: positive = backported (the data's
ground truth: a cherry-pick trailer, patch-id or subject+author on a stable branch); yes and wait
count as "backport", uncertain and no as "no". The patchbot-like baseline of backports.md §3
(instructions, else the BUG tag, else no; hedged = uncertain) is computed on the same commits and
scored with uncertain counted both ways. Bar on haproxy 2.9-dev: F1 0.822 at precision 0.936.
The synthetic corpus draws labels from the measured rates of backports.md §2, so its numbers only
show the pipeline and the scorer work; they say nothing about real quality.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from backport_replay import DATA, SYNTHETIC_TREE, count, is_merge, load, replay, stable_tree, synthetic, tag_of
from labeler.cli import main

POSITIVE = ("yes", "wait")

# ---------------------------------------------------------------------------- the baseline (§3)
_B = r"back-?port\w*"
B_NO = re.compile(
    rf"\bno\s+(?:need\s+to\s+)?{_B}|\bno\s+need\s+to\s+{_B}|\bnot?\s+(?:be\s+)?{_B}|"
    rf"\b(?:must|should|need)\s+not\s+be\s+{_B}|\bnothing\s+to\s+{_B}|\bonly\s+in\s+(?:the\s+)?"
    r"(?:current\s+)?dev",
    re.I,
)
B_WAIT = re.compile(rf"\bwait\w*\b.*\b{_B}|\b{_B}.*\b(?:after\s+some|slowly|carefully|later)\b", re.I)
B_HEDGED = re.compile(rf"\b(?:may|might|could|can)\s+(?:\w+\s+)?be\s+{_B}", re.I)
B_YES = re.compile(
    rf"\b(?:must|should|needs?\s+to|has\s+to|have\s+to|will)\s+(?:\w+\s+)?be\s+{_B}|\bto\s+be\s+{_B}|"
    rf"\bplease\s+{_B}|\b{_B}\s+(?:to|as\s+far\s+as)\s+\d",
    re.I,
)


def patchbot_like(record: dict[str, Any]) -> str:
    """Per sentence no > wait > hedged > yes; across sentences no > wait > yes > hedged; else BUG tag."""
    if record["subject"].startswith("[RELEASE]"):
        return "no"
    body = " ".join((record.get("body") or "").split())
    kinds = set()
    for sentence in re.split(r"(?<=[.!?;])\s+", body):
        for kind, regex in (("no", B_NO), ("wait", B_WAIT), ("hedged", B_HEDGED), ("yes", B_YES)):
            if regex.search(sentence):
                kinds.add(kind)
                break
    for kind, verdict in (("no", "no"), ("wait", "wait"), ("yes", "yes"), ("hedged", "uncertain")):
        if kind in kinds:
            return verdict
    return "yes" if record["subject"].startswith("BUG") else "no"


# ---------------------------------------------------------------------------- scoring
def score(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float]:
    tp = fp = fn = tn = 0
    for truth, predicted in pairs:
        tp += truth and predicted
        fp += predicted and not truth
        fn += truth and not predicted
        tn += not truth and not predicted
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def line(name: str, s: dict[str, float]) -> str:
    return f"  {name:<34} P {s['P']:.3f}  R {s['R']:.3f}  F1 {s['F1']:.3f}   (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})"


def classify(
    records: Sequence[dict[str, Any]],
    since: str,
    stable: str,
    extra: list[str],
    tree: Sequence[str] | None,
    picks: bool,
    merges: bool = True,
) -> dict[str, dict[str, Any]]:
    """Replay, run the command, return original sha -> verdict."""
    with tempfile.TemporaryDirectory(prefix="backport-bench-") as tmp:
        started = time.perf_counter()
        by_new = replay(records, Path(tmp) / "repo", since, stable, tree, picks, merges)
        built = time.perf_counter() - started
        out = Path(tmp) / "report.json"
        args = [
            "backport-report",
            "--git-dir",
            str(Path(tmp) / "repo"),
            "--since",
            since,
            "--stable",
            stable,
            "--json",
            str(out),
            *extra,
        ]
        started = time.perf_counter()
        if main(args) != 0:
            raise SystemExit("the command failed")
        ran = time.perf_counter() - started
        report = json.loads(out.read_text())
    detected = sum(c["backported"] for c in report["commits"])
    print(
        f"  replayed {len(by_new)} commits in {built:.1f} s; command {ran:.1f} s; "
        f"{detected} found already backported (ground truth {sum(r['backported'] for r in by_new.values())})"
    )
    pull_mapping(report["commits"], by_new)
    return {by_new[c["sha"]]["sha"]: c for c in report["commits"]}


def pull_mapping(commits: Sequence[dict[str, Any]], by_new: dict[str, dict[str, Any]]) -> None:
    """The command's `pull_request` against the PR the data names (systemd's `pr`): the git mapping
    on a replay whose merges are made from the data, so it checks the mapping, not the data."""
    named = [(c.get("pull_request"), by_new[c["sha"]].get("pr")) for c in commits]
    if not any(pr for _, pr in named):
        return
    right = sum(got == pr for got, pr in named if pr)
    other = sum(bool(got) and bool(pr) and got != pr for got, pr in named)
    extra = sum(bool(got) and not pr for got, pr in named)
    print(
        f"  pull requests: {right} of {sum(bool(pr) for _, pr in named)} commits the data ties to a PR (merge "
        f"commits) mapped to it from git, {other} to another; {extra} more mapped where the data names none "
        "(squash-merge subjects ending in (#N))"
    )


def evaluate(
    name: str,
    records: list[dict[str, Any]],
    extra: list[str],
    tree: Sequence[str] | None = None,
    picks: bool = True,
    merges: bool = True,
) -> dict[str, Any]:
    records = [r for r in records if not is_merge(r)]
    since = (records[0].get("range") or "v0.0-dev0..").split("..")[0] if records else "v0.0-dev0"
    match = re.search(r"vs-(\d+\.\d+)", name)
    stable = match.group(1) if match else "stable"
    print(
        f"\n== {name}: {len(records)} commits (merges left out), {sum(r['backported'] for r in records)} "
        f"backported; since {since}, stable branch {stable}"
    )
    report = classify(records, since, stable, extra, tree, picks, merges)
    verdicts = {sha: c["verdict"] for sha, c in report.items()}
    truth = {r["sha"]: bool(r["backported"]) for r in records}
    base = {r["sha"]: patchbot_like(r) for r in records}
    print("  verdicts: " + count(verdicts.values()) + " | baseline: " + count(base.values()))
    print(
        line(
            f"{extra[1] if extra[:1] == ['--provider'] else 'rules'} (yes+wait = backport)",
            score((truth[s], v in POSITIVE) for s, v in verdicts.items()),
        )
    )
    print(line("patchbot-like baseline, U=yes", score((truth[s], v != "no") for s, v in base.items())))
    print(line("patchbot-like baseline, U=no", score((truth[s], v in POSITIVE) for s, v in base.items())))
    per_tag(records, verdicts, truth)
    reviewer(verdicts, truth)
    return {"truth": truth, "report": report, "records": records}


def per_tag(records: list[dict[str, Any]], verdicts: dict[str, str], truth: dict[str, bool]) -> None:
    tags: dict[str, list[str]] = {}
    for r in records:
        tags.setdefault(tag_of(r), []).append(r["sha"])
    print("  by tag:")
    for tag, shas in sorted(tags.items(), key=lambda t: -len(t[1]))[:12]:
        s = score((truth[x], verdicts[x] in POSITIVE) for x in shas)
        print(
            f"    {tag:<12} n {len(shas):>4}  backported {sum(truth[x] for x in shas):>4}  "
            f"P {s['P']:.2f}  R {s['R']:.2f}  F1 {s['F1']:.2f}"
        )


def reviewer(verdicts: dict[str, str], truth: dict[str, bool]) -> None:
    positives = [s for s, t in truth.items() if t]
    yes = [s for s, v in verdicts.items() if v == "yes"]
    print(
        f"  reviewer view: {sum(verdicts[s] == 'yes' for s in positives)}/{len(positives)} backported commits "
        f"pre-selected Y; {sum(not truth[s] for s in yes)}/{len(yes)} Y were not backported; "
        f"{sum(v == 'uncertain' for v in verdicts.values())} U, {sum(v == 'wait' for v in verdicts.values())} W"
    )


TARGET_F1, TARGET_P = 0.88, 0.95


def samples(result: dict[str, Any]) -> list[tuple[str, bool]]:
    """(verdict kind, agreed with the maintainers) per commit; the kind is the rule's, before ready."""
    from labeler.backport_report.confidence import agrees

    return [
        (c["kind"], agrees(c["kind"].rsplit(":", 1)[-1], result["truth"][sha])) for sha, c in result["report"].items()
    ]


def print_reliability(title: str, pairs: list[tuple[float, bool]]) -> None:
    from labeler.backport_report.confidence import reliability

    print(f"  {title}")
    print("    confidence       commits  mean conf  observed agreement")
    for label, n, mean, observed in reliability(pairs):
        print(f"    {label:<16} {n:>7}  {mean:>9.3f}  {observed:>8.3f}")
    if pairs:
        gap = sum(abs(c - a) for c, a in pairs) / len(pairs)
        brier = sum((c - a) ** 2 for c, a in pairs) / len(pairs)
        print(f"    Brier {brier:.3f}; mean |confidence - outcome| {gap:.3f}")


def calibration(results: dict[str, dict[str, Any]], show_table: bool) -> None:
    """The shipped table's reliability on each cycle, and the honest check: the table fitted on the
    other cycle(s) only (leave one cycle out)."""
    from labeler.backport_report.confidence import confidence, fit

    per_cycle = {name: samples(r) for name, r in results.items()}
    fitted = fit(list(per_cycle.values()))
    if show_table:
        print("\n== confidence table fitted on all cycles (paste into labeler/backport_report/confidence.py TABLE):")
        print("TABLE = {" + ", ".join(f"{k!r}: {v}" for k, v in sorted(fitted.items())) + "}")
    for name, pairs in per_cycle.items():
        print(f"\n== reliability on {name}")
        print_reliability(
            "shipped table (confidence as the command reports it):",
            [
                (results[name]["report"][sha]["confidence"], agree)
                for sha, (_, agree) in zip(results[name]["report"], pairs, strict=True)
            ],
        )
        others = [p for other, p in per_cycle.items() if other != name]
        if others:
            held_out = fit(others)
            print_reliability(
                "leave-one-cycle-out (table fitted without this cycle):",
                [(confidence(kind, held_out), agree) for kind, agree in pairs],
            )


NEW_RULES = (
    "needed:uncertain",
    "lookahead:uncertain",
    "released-fix:wait",
    "fix-report:wait",
    "fix-word:uncertain",
    "follows:uncertain",
)


def breakdown(results: dict[str, dict[str, Any]]) -> None:
    """Per rule (the verdict's kind), per cycle: how often it fires and how often the commits it
    names were backported. A rule that generalises has similar rates across cycles."""
    names = list(results)
    table: dict[str, dict[str, tuple[int, int]]] = {}
    for name, r in results.items():
        for sha, c in r["report"].items():
            n, k = table.setdefault(c["kind"], {}).get(name, (0, 0))
            table[c["kind"]][name] = (n + 1, k + r["truth"][sha])
    print("\n== rules breakdown: hits and share backported per cycle (* = the second set of message rules)")
    print("  " + f"{'kind':<22}" + "".join(f"{n.split('-')[0]:>22}" for n in names))
    for kind in sorted(table, key=lambda k: -sum(n for n, _ in table[k].values())):
        cells = "".join(
            f"{f'{k}/{n} = {k / n:.2f}' if n else '-':>22}"
            for n, k in (table[kind].get(name, (0, 0)) for name in names)
        )
        print(f"  {kind + (' *' if kind in NEW_RULES else ''):<22}{cells}")


# ---------------------------------------------------------------------------- learning from the picks
# Decisions no message states (a feature backported wholesale onto a long-term branch) show on the
# stable branch: a nightly run sees what maintainers already picked this cycle. The signal below is
# measured in time order: a commit is judged with only the picks made before its own commit date.
# Thresholds set before measuring, not tuned: at least LEARN_MIN earlier commits of the same area
# (the subject's second field), at least LEARN_SHARE of them already picked.
# A nightly page keeps a commit until it is reviewed: LEARN_LAG_DAYS after its date (the default
# observation period) its area's picks up to then are known; its own pick never counts.
LEARN_MIN, LEARN_SHARE, LEARN_LAG_DAYS = 5, 0.8, 14


def _area(subject: str) -> str:
    parts = subject.split(":")
    return parts[1].strip().lower() if len(parts) > 2 else ""


def _when(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def learned(records: Sequence[dict[str, Any]]) -> dict[str, bool]:
    """sha -> the area's picks before the commit's date say "this area is being backported"."""
    history = []  # (commit time, area, first pick time or None)
    for r in records:
        dates = [b.get("date") for b in r.get("backport_commits") or [] if b.get("date")]
        first = min((_when(d) for d in dates), default=None) if r["backported"] else None
        history.append((_when(r.get("commit_date") or r["date"]), _area(r["subject"]), first))
    out = {}
    for i, (r, (when, area, _)) in enumerate(zip(records, history, strict=True)):
        now = when + LEARN_LAG_DAYS * 86400
        earlier = [p for j, (t, a, p) in enumerate(history) if j != i and a == area and area and t < now]
        picked = sum(p is not None and p < now for p in earlier)
        out[r["sha"]] = len(earlier) >= LEARN_MIN and picked >= LEARN_SHARE * len(earlier)
    return out


def learning(results: dict[str, dict[str, Any]]) -> None:
    """The rules, then the rules plus the learned signal where they say no for want of an instruction."""
    print("\n== learning from this cycle's picks (time order; only earlier picks inform a commit)")
    for name, r in results.items():
        signal = learned(r["records"])
        base = {sha: c["verdict"] in POSITIVE for sha, c in r["report"].items()}
        for label, kinds in (
            ("default:no", ("default:no",)),
            ("default:no + instruction:no", ("default:no", "instruction:no")),
        ):
            plus = {sha: v or (signal[sha] and r["report"][sha]["kind"] in kinds) for sha, v in base.items()}
            s = score((r["truth"][sha], v) for sha, v in plus.items())
            print(
                f"  {name:<34} + learned over {label:<27} P {s['P']:.3f}  R {s['R']:.3f}  F1 {s['F1']:.3f}  "
                f"({sum(plus.values()) - sum(base.values())} more proposed)"
            )


# ---------------------------------------------------------------------------- learning which kinds are followed
# The command demotes, on a nightly run, the proposing rule kinds this range's maintainers confidently
# do not follow (labeler/backport_report/learn.py). Scored as a reviewer meets it: each commit is
# judged by the nightly run of the day its observation period ends (LEARN_LAG_DAYS after it landed),
# which learns only from commits decided by then (landed a window earlier) and picks made by then;
# the commit's own outcome never counts (it is not decided yet on that day).


def _seen(r: dict[str, Any], c: dict[str, Any]) -> Any:
    from labeler.backport_report.learn import Seen
    from labeler.backport_report.ready import parse_as_of

    dates = [b["date"] for b in r.get("backport_commits") or [] if b.get("date")] if r["backported"] else []
    picked = min((parse_as_of(d) for d in dates), default=None)
    return Seen(r["sha"], c["kind"], c["verdict"], parse_as_of(r.get("commit_date") or r["date"]), picked)


def nightly(result: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """sha -> verdict as the nightly of the commit's review day gives it; and the last day's learnt kinds."""
    from datetime import timedelta

    from labeler.backport_report import learn

    seen = [_seen(r, result["report"][r["sha"]]) for r in result["records"]]
    by_day: dict[Any, list[Any]] = {}
    for x in seen:
        by_day.setdefault((x.landed + timedelta(days=LEARN_LAG_DAYS)).date(), []).append(x)
    out, last = {}, {}
    for day, judged in sorted(by_day.items()):
        now = min(x.landed for x in judged) + timedelta(days=LEARN_LAG_DAYS)
        now = now.replace(hour=23, minute=59) if now.date() == day else now
        last = learn.learn(seen, now)
        verdicts = {x.sha: {"verdict": x.verdict, "reason": ""} for x in judged}
        out.update({sha: v["verdict"] for sha, v in learn.demote(verdicts, judged, last, now).items()})
    return out, last


def learnt(results: dict[str, dict[str, Any]]) -> None:
    print("\n== learning which rule kinds this repository follows (nightly, time order; yes|wait = backport)")
    for name, r in results.items():
        before = {sha: c["verdict"] for sha, c in r["report"].items()}
        after, last = nightly(r)
        b = score((r["truth"][sha], v in POSITIVE) for sha, v in before.items())
        a = score((r["truth"][sha], after[sha] in POSITIVE) for sha in before)
        print(f"  {name}")
        print(line("before (rules)", b))
        print(line("after (learnt kinds demoted)", a))
        print(
            f"    change: P {a['P'] - b['P']:+.3f}  R {a['R'] - b['R']:+.3f}  F1 {a['F1'] - b['F1']:+.3f}; "
            f"{sum(before[s] in POSITIVE and after[s] not in POSITIVE for s in before)} proposals became suggestions"
        )
        for kind, x in last.items():
            if x.demoted:
                print(
                    f"    demoted at the cycle's last nightly: {kind:<22} {x.picked}/{x.decided} = {x.share:.2f}, "
                    f"eventually {x.eventual:.2f} (upper bound {x.upper:.2f})"
                )


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, metavar="N", help="score a generated corpus of N commits instead")
    parser.add_argument("--rules", help="a rules settings file to pass to the command")
    parser.add_argument("--provider", choices=["rules", "anthropic", "openai"], default="rules")
    parser.add_argument("--model", help="model name for a model provider")
    parser.add_argument("--cache", help="verdict cache file (re-runs of a model cost nothing)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--calibrate", action="store_true", help="print the confidence table fitted on all cycles")
    parser.add_argument(
        "--no-stable-picks",
        action="store_true",
        help="replay without any cherry-pick on the stable branch (nothing known to be on stable)",
    )
    parser.add_argument(
        "--linear",
        action="store_true",
        help="replay every commit on one line (no pull request merges), as before the PR mapping",
    )
    parser.add_argument(
        "--rules-breakdown",
        action="store_true",
        help="per rule and cycle: hits and share backported (does a rule generalise?)",
    )
    args = parser.parse_args(argv)
    extra = ["--provider", args.provider]
    extra += ["--rules", args.rules] if args.rules else []
    if args.provider != "rules":
        extra += [
            "--concurrency",
            str(args.concurrency),
            *(["--model", args.model] if args.model else []),
            *(["--cache", args.cache] if args.cache else []),
        ]
    if args.synthetic:
        print(
            f"SYNTHETIC corpus of {args.synthetic} commits (labels drawn from backports.md §2 rates): "
            "checks the pipeline and scorer only, NOT comparable to the real baseline."
        )
        evaluate("synthetic-2.9dev-vs-2.8", synthetic(args.synthetic), extra, SYNTHETIC_TREE)
        return 0
    files = sorted(DATA.glob("*.jsonl")) if DATA.is_dir() else []
    if not files:
        print(f"SKIP: no backport data at {DATA} (run with --synthetic N for a smoke run)")
        return 0
    results = {
        path.name: evaluate(path.name, load(path), extra, stable_tree(path), not args.no_stable_picks, not args.linear)
        for path in files
    }
    calibration(results, args.calibrate)
    learning(results)
    learnt(results)
    if args.rules_breakdown:
        breakdown(results)
    print("\n== targets (yes|wait = backport): F1 >= 0.88 at precision >= 0.95 on each cycle")
    for name, r in results.items():
        s = score((r["truth"][sha], c["verdict"] in POSITIVE) for sha, c in r["report"].items())
        met = s["F1"] >= TARGET_F1 and s["P"] >= TARGET_P
        print(f"  {name:<40} P {s['P']:.3f}  R {s['R']:.3f}  F1 {s['F1']:.3f}  target {'MET' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(run())

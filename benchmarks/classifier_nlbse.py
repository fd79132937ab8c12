"""Offline classifier on NLBSE'24 (bug / feature / question, 5 repositories): per-repo cross-validation.

    .venv/bin/python benchmarks/classifier_nlbse.py [--folds 5] [--C 10|auto] [--pooled] [--grid] [--json FILE]
    .venv/bin/python benchmarks/classifier_nlbse.py --synthetic      # generated corpus, NOT comparable

Data: ../shared/data/issues/nlbse24/derived/issues_train.jsonl (1,500 issues, 100 per label per
repo; never copied into the project). Protocol (labeling.md §3, §5): one classifier per repository,
stratified k-fold cross-validation inside each repository, class-averaged (macro) F1 per repo,
mean over repos. Reference points on the official split: TF-IDF + LR 0.760 (measured), SetFit
0.824 (published baseline). `--pooled` adds a variant trained on all five repositories' training
folds (tested per repo; labeling.md §3 measured 0.770 pooled). Thresholds come from inner
cross-validation on each training fold at --target-precision; coverage and precision at those
thresholds, train time, predict time per issue and peak memory are printed too.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from typing import Any

from classifier_common import DATA, max_rss_mb, mean, peak, print_curve, run_fold, sd, skip, timing, write_json
from labeler.examples import Example
from labeler.model import synthetic, train

PATH = DATA / "nlbse24" / "derived" / "issues_train.jsonl"
TFIDF_BASELINE, SETFIT = 0.760, 0.824


def load_real() -> list[Example]:
    if not PATH.is_file():
        skip(f"NLBSE'24 data not found at {PATH} (use --synthetic to exercise the code)")
    rows = []
    with PATH.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                raw = json.loads(line)
                rows.append(Example(id=raw["id"], title=raw.get("title") or "", body=raw.get("body") or "",
                                    labels=tuple(raw["labels"]), created_at=raw.get("created_at"),
                                    extra={"repo": raw["repo"]}))
    return rows


def load_synthetic() -> list[Example]:
    rows = []
    for r, noise in enumerate((0.30, 0.35, 0.40, 0.45, 0.50)):
        for e in synthetic.corpus(100, noise=noise, seed=100 + r):
            rows.append(Example(id=f"repo{r}/{e.id}", title=e.title, body=e.body, labels=e.labels,
                                created_at=e.created_at, extra={"repo": f"synthetic/repo{r}"}))
    return rows


def folds(rows: list[Example], k: int, seed: int) -> list[int]:
    """Stratified fold index per row (round-robin within each label after a seeded shuffle)."""
    index = [0] * len(rows)
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(rows):
        by_label[e.labels[0]].append(i)
    rng = random.Random(seed)
    for members in by_label.values():
        rng.shuffle(members)
        for j, i in enumerate(members):
            index[i] = j % k
    return index


def evaluate_repo(rows: list[Example], everything: list[Example], args: argparse.Namespace,
                  params: train.Params | None = None) -> dict[str, Any]:
    fold_of = folds(rows, args.folds, args.seed)
    params = params or train.Params(C=None if args.C == "auto" else float(args.C), target_precision=args.target_precision)
    runs, pooled = [], []
    for k in range(args.folds):
        test = [e for e, f in zip(rows, fold_of) if f == k]
        own = [e for e, f in zip(rows, fold_of) if f != k]
        runs.append(run_fold(own, test, params, trace=k == 0))
        if args.pooled:
            test_ids = {e.id for e in test}
            others = [e for e in everything if e.extra["repo"] != rows[0].extra["repo"]]
            pooled.append(run_fold(own + others, [e for e in rows if e.id in test_ids], params))
    return {"runs": runs, "pooled": pooled}


def summarize(name: str, runs: list[dict[str, Any]]) -> dict[str, float]:
    f1 = [r["report"]["macro_f1"] for r in runs]
    n = [r["report"]["issues"] for r in runs]
    at = [r["report"]["at_thresholds"] for r in runs]
    applied = sum((a["match"] + a["mismatch"]) * k for a, k in zip(at, n))
    right = sum(a["match"] * k for a, k in zip(at, n))
    return {"macro_f1": mean(f1), "macro_f1_sd": sd(f1), "coverage": applied / max(1, sum(n)),
            "precision": right / applied if applied else float("nan"), "train_s": timing(runs, "train_s"),
            "predict_ms": timing(runs, "predict_ms_per_issue"), "peak_mb": peak(runs)}


GRID = [(c, kinds) for kinds in (("word",), ("word", "char")) for c in (1.0, 3.0, 10.0, 30.0)]


def grid(rows: list[Example], repos: list[str], args: argparse.Namespace) -> None:
    """Mean-over-repos macro F1 for a few settings, to choose defaults on real data."""
    args.pooled = False
    print("\ngrid (mean over repos of per-repo CV macro F1):")
    for c, kinds in GRID:
        params = train.Params(C=c, features=kinds, target_precision=args.target_precision)
        scores = [summarize(r, evaluate_repo([e for e in rows if e.extra["repo"] == r], rows, args, params)["runs"])
                  for r in repos]
        print(f"  C={c:<5} features={'+'.join(kinds):<10} macro F1 {mean([s['macro_f1'] for s in scores]):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", action="store_true", help="generated corpus instead of NLBSE'24 (numbers NOT comparable)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--C", default="10", help="a number or 'auto' (grid by inner cross-validation)")
    parser.add_argument("--target-precision", type=float, default=0.9)
    parser.add_argument("--pooled", action="store_true", help="also train on all repos, test per repo")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grid", action="store_true", help="also compare C x feature settings (slow)")
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args()
    rows = load_synthetic() if args.synthetic else load_real()
    tag = "SYNTHETIC corpus (not NLBSE; only shows the code runs)" if args.synthetic else "NLBSE'24 train split"
    print(f"data: {tag}: {len(rows)} issues; {args.folds}-fold per-repo CV; C={args.C}; target precision {args.target_precision}")
    repos = sorted({e.extra["repo"] for e in rows})
    results: dict[str, Any] = {}
    for repo in repos:
        out = evaluate_repo([e for e in rows if e.extra["repo"] == repo], rows, args)
        results[repo] = {"own": summarize(repo, out["runs"]), "runs": out["runs"]}
        if out["pooled"]:
            results[repo]["pooled"] = summarize(repo, out["pooled"])
        s = results[repo]["own"]
        pooled = f"  pooled {results[repo]['pooled']['macro_f1']:.3f}" if out["pooled"] else ""
        print(f"{repo:<24} macro F1 {s['macro_f1']:.3f} ± {s['macro_f1_sd']:.3f}{pooled}  | at thresholds: coverage "
              f"{s['coverage']:.1%}, precision {s['precision']:.1%} | train {s['train_s']:.2f} s/fold, "
              f"predict {s['predict_ms']:.2f} ms/issue, peak {s['peak_mb']:.0f} MB traced (fold 1)")
    overall = mean([r["own"]["macro_f1"] for r in results.values()])
    print(f"\nmean over repos: macro F1 {overall:.3f}   (TF-IDF+LR baseline {TFIDF_BASELINE}, SetFit {SETFIT}"
          f"{'; these references do NOT apply to synthetic data' if args.synthetic else ''})")
    if args.pooled:
        print(f"pooled training:  macro F1 {mean([r['pooled']['macro_f1'] for r in results.values()]):.3f}")
    print("top label kept by calibrated confidence (all repos, all folds):")
    print_curve([row for r in results.values() for run in r["runs"] for row in run["report"]["coverage_curve"]])
    if args.grid:
        grid(rows, repos, args)
    print(f"process peak RSS {max_rss_mb():.0f} MB")
    write_json(args.json, {"data": tag, "mean_macro_f1": overall, "repos": {k: {kk: v for kk, v in r.items() if kk != "runs"}
                                                                          for k, r in results.items()}})


if __name__ == "__main__":
    main()

"""Offline classifier on NLBSE'24 (bug / feature / question, 5 repositories): cross-validated macro F1 per repo.

    .venv/bin/python benchmarks/classifier_nlbse.py [--folds 5] [--encoder minilm-packages|DIR|HF_ID] [--json FILE]
    .venv/bin/python benchmarks/classifier_nlbse.py --own-only        # strictly one repository's issues per model
    .venv/bin/python benchmarks/classifier_nlbse.py --own-only --seeds 1,2,3 --encoder minilm-packages
    .venv/bin/python benchmarks/classifier_nlbse.py --calibration     # compare threshold estimators
    .venv/bin/python benchmarks/classifier_nlbse.py --synthetic       # generated corpus, NOT comparable

Data: ../shared/data/issues/nlbse24/derived/issues_train.jsonl (1,500 issues, 100 per label per
repo; never copied into the project). Protocol (labeling.md §3): class-averaged (macro) F1 per
repository, mean over the 5 repositories. Folds are stratified by (repository, label); fold k of
every repository is held out at once and the model trains on the other folds of all five
repositories: a per-repository model averaged with the pooled one (`labeler model train` on
data with a `repo` field does exactly this). `--own-only` trains on one repository at a time
(the competition's one-model-per-repo reading; per_group is then moot). References on the
hidden test split: TF-IDF + LR 0.760, SetFit 0.824, fine-tuned GPT-4o 0.807.

Nothing is tuned on the folds this prints: C and the embedding C are fixed, the embedding
model's share is chosen inside each training fold (fusion.py) or fixed by --embed-share. Fold
seed 0 is the one earlier settings were chosen on; `--seeds 1,2,3` repeats the whole
cross-validation on other fold assignments and prints each and their mean, which is the number
to compare with the hidden split.

Also printed: precision and coverage at the per-label thresholds for --target-precision (inner
cross-validation on each training fold sets them; the held-out fold measures them), the top-label
coverage curve, training time on all 1,500 issues (core; embedding time separately), prediction
time for one issue through suggest() (model loaded; the load time too), peak memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections import defaultdict
from dataclasses import replace
from typing import Any

from classifier_common import DATA, encoder_from, max_rss_mb, mean, measured, print_curve, skip, write_json
from labeler.examples import Example, read_jsonl
from labeler.model import encoder as enc_mod
from labeler.model import evaluate, synthetic, train
from labeler.model.predict import Predictor

PATH = DATA / "nlbse24" / "derived" / "issues_train.jsonl"
TFIDF_BASELINE, SETFIT = 0.760, 0.824


def load_real() -> list[Example]:
    if not PATH.is_file():
        skip(f"NLBSE'24 data not found at {PATH} (use --synthetic to exercise the code)")
    return [Example(e.id, e.title, e.body, e.labels, e.created_at, None, extra=e.extra) for e in read_jsonl(str(PATH))]


def load_synthetic() -> list[Example]:
    rows = []
    for r, noise in enumerate((0.30, 0.35, 0.40, 0.45, 0.50)):
        for e in synthetic.corpus(60, noise=noise, seed=100 + r):
            rows.append(
                Example(
                    id=f"repo{r}/{e.id}",
                    title=e.title,
                    body=e.body,
                    labels=e.labels,
                    created_at=e.created_at,
                    extra={"repo": f"synthetic/repo{r}"},
                )
            )
    return rows


def folds(rows: list[Example], k: int, seed: int) -> list[int]:
    """Fold index per row, stratified by (repository, label): round-robin after a seeded shuffle."""
    index = [0] * len(rows)
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, e in enumerate(rows):
        strata[(e.extra["repo"], e.labels[0])].append(i)
    rng = random.Random(seed)
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        for j, i in enumerate(members):
            index[i] = j % k
    return index


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = sorted({g for g, _ in pairs})
    f1 = []
    for lbl in labels:
        tp = sum(g == lbl and p == lbl for g, p in pairs)
        fp = sum(g != lbl and p == lbl for g, p in pairs)
        fn = sum(g == lbl and p != lbl for g, p in pairs)
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return mean(f1)


def cross_validate(
    rows: list[Example], args: argparse.Namespace, params: train.Params, cache: Any, seed: int
) -> dict[str, Any]:
    """`cache` (encoder.Cache or None) embeds for training and prediction alike."""
    embedder = cache.encode if cache is not None else None
    fold_of = folds(rows, args.folds, seed)
    tops: dict[str, list[tuple[str, str]]] = defaultdict(list)
    applied = correct = scored = 0
    by_part: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # "fold k" / repo -> scored, applied, correct
    curve: list[dict[str, Any]] = []
    train_s, shares = [], []
    repos = sorted({e.extra["repo"] for e in rows}) if args.own_only else [None]
    for k in range(args.folds):
        for repo in repos:
            tr = [e for e, f in zip(rows, fold_of) if f != k and (repo is None or e.extra["repo"] == repo)]
            te = [e for e, f in zip(rows, fold_of) if f == k and (repo is None or e.extra["repo"] == repo)]
            trained, seconds, _ = measured(lambda tr=tr: train.train(tr, params=params, embedder=embedder))
            train_s.append(seconds)
            shares.append(trained.meta["params"]["embed_share"])
            predictor = Predictor(trained.model, trained.meta, cache)
            report = evaluate.evaluate(predictor, te)
            scores = predictor.scores_many([(e.title, e.body) for e in te], [e.extra["repo"] for e in te])
            for e, s in zip(te, scores):
                tops[e.extra["repo"]].append((e.labels[0], max(s, key=lambda x: s[x])))
                used = evaluate.applied(predictor, s, e.extra["repo"])
                scored += 1
                applied += bool(used)
                correct += bool(used) and used <= set(e.labels)
                for part in (f"fold {k + 1}", e.extra["repo"]):
                    by_part[part][0] += 1
                    by_part[part][1] += bool(used)
                    by_part[part][2] += bool(used) and used <= set(e.labels)
            curve += report["coverage_curve"]
        print(f"  fold {k + 1}/{args.folds}: trained in {train_s[-1]:.1f} s", flush=True)
    per_repo = {repo: macro_f1(pairs) for repo, pairs in sorted(tops.items())}
    return {
        "per_repo": per_repo,
        "mean_macro_f1": mean(list(per_repo.values())),
        "at_thresholds": {
            "coverage": applied / max(1, scored),
            "precision": correct / applied if applied else None,
            "target": params.target_precision,
            "spread": {
                part: {"coverage": a / max(1, n), "precision": c / a if a else None}
                for part, (n, a, c) in sorted(by_part.items())
            },
        },
        "curve": curve,
        "fold_train_s": mean(train_s),
        "embed_shares": shares,
    }


def timings(rows: list[Example], params: train.Params, enc: Any, embedder: Any) -> dict[str, float]:
    """Train on every issue (traced once for peak memory, timed once untraced), then predict one at a time."""
    import tempfile

    from labeler.model import predict

    _, _, peak_mb = measured(lambda: train.train(rows, params=params, embedder=embedder), trace=True)
    trained, _, _ = measured(lambda: train.train(rows, params=params, embedder=embedder))
    out = tempfile.mkdtemp(prefix="nlbse-model-")
    train.save(
        trained,
        out,
        encoder=None
        if enc is None
        else {
            "name": getattr(enc, "folder", "?"),
            "revision": None,
            "source": "folder",
            "ident": enc.ident,
            "dim": enc.dim,
        },
    )
    import os

    if enc is not None:
        os.environ["LABELER_ENCODER"] = enc.folder
    predictor, load_s, _ = measured(lambda: predict.load(out))
    sample = rows[:: max(1, len(rows) // 60)][:60]
    per_issue = [measured(lambda e=e: predictor.suggest(e.title, e.body, e.extra["repo"]))[1] for e in sample]
    return {
        "train_s": trained.meta["train_seconds"],
        "embed_s": trained.meta["embed_seconds"],
        "issues": len(rows),
        "peak_mb": peak_mb,
        "load_s": load_s,
        "predict_ms": 1000 * mean(per_issue),
        "predict_ms_max": 1000 * max(per_issue),
    }


def share_arg(raw: str) -> float | None:
    return None if raw == "auto" else float(raw)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--synthetic", action="store_true", help="generated corpus instead of NLBSE'24 (NOT comparable)"
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--C", type=float, default=10.0)
    parser.add_argument(
        "--nb-weight",
        type=float,
        default=train.Params.nb_weight,
        help="share of the NB-weighted model in the logits (0: plain logistic regression)",
    )
    parser.add_argument(
        "--embed-share",
        type=share_arg,
        default=None,
        help="the embedding model's share of the probabilities: 'auto' (chosen inside each training fold) or a number",
    )
    parser.add_argument("--target-precision", type=float, default=0.9)
    parser.add_argument("--own-only", action="store_true", help="one model per repository, its issues only")
    parser.add_argument("--encoder", help="minilm-packages, a model folder or a hub id: fuse sentence embeddings")
    parser.add_argument("--embed-cache", default="/tmp/labeler-embeddings", help="embedding cache folder")
    parser.add_argument(
        "--calibration", action="store_true", help="also compare Wilson z = 0, 0.5, 1 for the thresholds"
    )
    parser.add_argument("--seeds", default="0", help="fold seeds, comma-separated: the whole CV once per seed")
    parser.add_argument("--timing-issues", type=int, default=0, help="time training on this many issues (0: all)")
    parser.add_argument("--json", help="write the numbers to this file")
    return parser.parse_args()


def print_run(label: str, res: dict[str, Any], target: float) -> None:
    at = res["at_thresholds"]
    prec = "-" if at["precision"] is None else f"{at['precision']:.3f}"
    shares = res["embed_shares"]
    share = (
        f"; embedding share per model mean {mean(shares):.2f} (min {min(shares)}, max {max(shares)})"
        if any(shares)
        else ""
    )
    print(
        f"[{label}] "
        + "  ".join(f"{r.split('/')[-1]} {f:.3f}" for r, f in res["per_repo"].items())
        + f"  | MEAN macro F1 {res['mean_macro_f1']:.4f}"
    )
    print(f"[{label}] at thresholds for precision {target}: precision {prec}, coverage {at['coverage']:.1%}{share}")
    print(
        "       by fold / repository: "
        + "; ".join(
            f"{part.split('/')[-1]} P {'-' if v['precision'] is None else format(v['precision'], '.3f')} cov {v['coverage']:.0%}"
            for part, v in at["spread"].items()
        )
    )


def print_over_seeds(runs: dict[int, dict[str, Any]]) -> None:
    """Mean over fold seeds: per repository, overall, and precision / coverage at the target."""
    repos = sorted(next(iter(runs.values()))["per_repo"])
    means = [r["mean_macro_f1"] for r in runs.values()]
    spread = (
        f" (sd {statistics.stdev(means):.4f}, min {min(means):.4f}, max {max(means):.4f})" if len(means) > 1 else ""
    )
    print(
        f"over {len(runs)} fold seed(s) {sorted(runs)}: "
        + "  ".join(f"{r.split('/')[-1]} {mean([x['per_repo'][r] for x in runs.values()]):.3f}" for r in repos)
        + f"  | MEAN macro F1 {mean(means):.4f}{spread}"
    )
    cov = mean([r["at_thresholds"]["coverage"] for r in runs.values()])
    precs = [r["at_thresholds"]["precision"] for r in runs.values() if r["at_thresholds"]["precision"] is not None]
    print(f"  at the target precision: precision {mean(precs):.3f}, coverage {cov:.1%} (means over seeds)")


def main() -> None:
    args = parse_args()
    rows = load_synthetic() if args.synthetic else load_real()
    tag = "SYNTHETIC corpus (not NLBSE; only shows the code runs)" if args.synthetic else "NLBSE'24 train split"
    enc = encoder_from(args.encoder)
    cache = enc_mod.Cache(args.embed_cache, enc) if enc is not None else None
    if cache is not None:
        from labeler.model import features

        _, seconds, _ = measured(lambda: cache.encode([features.embed_text_of(e.title, e.body) for e in rows]))
        print(
            f"embedded {len(rows)} issues with {enc.ident} in {seconds:.1f} s ({cache.misses} not in the cache "
            f"{args.embed_cache})"
        )
    zs = (0.0, 0.5, 1.0) if args.calibration else (0.0,)
    seeds = [int(x) for x in args.seeds.split(",")]
    print(
        f"data: {tag}: {len(rows)} issues; {args.folds}-fold CV, fold seeds {seeds}; "
        f"{'own repository only' if args.own_only else 'per-repository + pooled'}; "
        f"encoder {enc.ident if enc else 'none (core)'}; embedding share "
        f"{'chosen per training fold' if args.embed_share is None else args.embed_share}; "
        f"target precision {args.target_precision}"
    )
    params = train.Params(
        C=args.C, target_precision=args.target_precision, nb_weight=args.nb_weight, embed_share=args.embed_share
    )
    results: dict[str, dict[str, Any]] = {}
    for z in zs:
        for seed in seeds:
            res = cross_validate(rows, args, replace(params, z=z), cache, seed)
            results[f"z={z} seed={seed}"] = res
            print_run(f"z={z} seed={seed}", res, args.target_precision)
    main_runs = {seed: results[f"z=0.0 seed={seed}"] for seed in seeds}
    print()
    print_over_seeds(main_runs)
    print(
        f"(hidden-split references: TF-IDF+LR {TFIDF_BASELINE}, SetFit {SETFIT}"
        f"{'; NOT comparable to synthetic data' if args.synthetic else ''})"
    )
    print(f"top label kept by calibrated confidence (all repos, all folds, fold seed {seeds[0]}):")
    print_curve(main_runs[seeds[0]]["curve"])
    timed = rows if not args.timing_issues else [rows[i % len(rows)] for i in range(args.timing_issues)]
    t = timings(timed, params, enc, cache.encode if cache is not None else None)
    print(
        f"timing: train on {t['issues']} issues{' (repeated to reach that count)' if len(timed) > len(rows) else ''} "
        f"{t['train_s']:.2f} s (incl. 5-fold calibration, embedding excluded); "
        f"embedding {t['embed_s']:.2f} s (cached vectors: only new texts are embedded); "
        f"load {t['load_s']:.2f} s; predict {t['predict_ms']:.1f} ms/issue (max {t['predict_ms_max']:.1f}); "
        f"peak traced memory {t['peak_mb']:.0f} MB; process peak RSS {max_rss_mb():.0f} MB"
    )
    write_json(
        args.json,
        {
            "data": tag,
            "encoder": enc.ident if enc else None,
            "runs": {k: {kk: v for kk, v in r.items() if kk != "curve"} for k, r in results.items()},
            "timing": t,
        },
    )


if __name__ == "__main__":
    main()

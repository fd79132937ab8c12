"""Offline classifier on Grafana issues: area labels, multi-label; precision@1 and recall@3.

    .venv/bin/python benchmarks/classifier_grafana.py [--family 'area/*'] [--min-examples 2] [--encoder minilm-packages] [--json FILE]
    .venv/bin/python benchmarks/classifier_grafana.py --synthetic      # generated corpus, NOT comparable

Data: ../shared/data/issues/grafana-auto-triager/categorizedIds.json (770 issues, {id, title, body,
labels[]}; never copied into the project). The file has no split: the oldest 80 % by issue number
train, the newest 20 % test (a chronological split, labeling.md §6.7). Labels: the --family
(default area/*) with >= --min-examples training issues; test issues without such a label are not
scored for P@1/R@3. P@1: the top-scored label is one of the issue's labels; R@3: share of the
issue's labels among the three top-scored. labeling.md §7 measured P@1 0.616 for TF-IDF + LR on
656 issues / 36 area labels (a different split). Also: coverage and precision at the per-label
thresholds, train and predict time, peak memory.
"""

from __future__ import annotations

import argparse
import json
import random

from classifier_common import DATA, encoder_from, max_rss_mb, mean, print_curve, run_fold, skip, write_json
from labeler.examples import Example, select_labels
from labeler.model import encoder as enc_mod
from labeler.model import synthetic, train
from labeler.model.predict import Predictor

PATH = DATA / "grafana-auto-triager" / "categorizedIds.json"


def load_real() -> list[Example]:
    if not PATH.is_file():
        skip(f"Grafana issues not found at {PATH} (use --synthetic to exercise the code)")
    raw = json.loads(PATH.read_text(encoding="utf-8"))
    return sorted(
        (
            Example(
                id=str(r["id"]),
                title=r.get("title") or "",
                body=r.get("body") or "",
                labels=tuple(r.get("labels") or ()),
                extra={"number": int(r["id"])},
            )
            for r in raw
        ),
        key=lambda e: e.extra["number"],
    )


def load_synthetic() -> list[Example]:
    rng = random.Random(0)
    vocab = synthetic.area_vocab(20)
    rows = []
    for n, e in enumerate(synthetic.corpus(30, vocab=vocab, noise=0.4, multi_label=0.3, seed=11)):
        rows.append(Example(id=str(n), title=e.title, body=e.body, labels=e.labels, extra={"number": n}))
    rng.shuffle(rows)
    return [Example(e.id, e.title, e.body, e.labels, extra={"number": i}) for i, e in enumerate(rows)]


def ranking_metrics(predictor: Predictor, rows: list[Example]) -> dict[str, float]:
    """P@1 and R@3 over test issues carrying at least one known label."""
    known = set(predictor.labels)
    scored = [
        (set(e.labels) & known, s) for e, s in zip(rows, predictor.scores_many([(e.title, e.body) for e in rows]))
    ]
    scored = [(gold, s) for gold, s in scored if gold]
    p1, r3 = [], []
    for gold, scores in scored:
        top = sorted(scores, key=lambda k: -scores[k])[:3]
        p1.append(float(top[0] in gold))
        r3.append(len(gold & set(top)) / len(gold))
    return {"scored_issues": len(scored), "precision_at_1": mean(p1), "recall_at_3": mean(r3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", action="store_true", help="generated corpus instead of Grafana (NOT comparable)")
    parser.add_argument("--family", default="area/*")
    parser.add_argument("--min-examples", type=int, default=2)
    parser.add_argument("--C", default="10", help="a number or 'auto'")
    parser.add_argument("--target-precision", type=float, default=0.9)
    parser.add_argument("--test-share", type=float, default=0.2)
    parser.add_argument("--features", default="word", help="word, or word,char")
    parser.add_argument("--class-weight", default="balanced", choices=["balanced", "none"])
    parser.add_argument("--encoder", help="minilm-packages, a model folder or a hub id: fuse sentence embeddings")
    parser.add_argument("--embed-cache", default="/tmp/labeler-embeddings")
    parser.add_argument(
        "--label-text",
        type=int,
        default=train.Params.label_text,
        help="multi-label: label names as N extra training texts (0: off)",
    )
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args()
    enc = encoder_from(args.encoder)
    embedder = enc_mod.Cache(args.embed_cache, enc).encode if enc is not None else None
    rows = load_synthetic() if args.synthetic else load_real()
    family = "area/*" if args.synthetic else args.family
    cut = int(len(rows) * (1 - args.test_share))
    train_rows = select_labels(rows[:cut], family=family).examples
    test_rows = select_labels(rows[cut:], family=family).examples
    tag = (
        "SYNTHETIC corpus (not Grafana; only shows the code runs)" if args.synthetic else "Grafana auto-triager issues"
    )
    params = train.Params(
        C=None if args.C == "auto" else float(args.C),
        target_precision=args.target_precision,
        min_examples=args.min_examples,
        features=tuple(args.features.split(",")),
        class_weight=None if args.class_weight == "none" else "balanced",
        label_text=args.label_text,
    )
    run = run_fold(train_rows, test_rows, params, trace=True, enc=enc, embedder=embedder)
    timed = run_fold(train_rows, test_rows, params, enc=enc, embedder=embedder)
    import os

    load = os.getloadavg()
    metrics = ranking_metrics(timed["predictor"], test_rows)  # the timed run's model: no third training
    meta = timed["meta"]
    report = run["report"]
    at = report["at_thresholds"]
    print(f"encoder: {enc.ident if enc else 'none (core)'}; features {args.features}")
    print(
        f"data: {tag}: {len(rows)} issues, train {len(train_rows)} (oldest) / test {len(test_rows)} (newest); "
        f"labels {family}: {len(meta['labels'])} with >= {args.min_examples} training issues"
    )
    print(
        f"precision@1 {metrics['precision_at_1']:.3f}   recall@3 {metrics['recall_at_3']:.3f}   "
        f"(over {metrics['scored_issues']} test issues with a known label)"
    )
    print(f"macro F1 {report['macro_f1']:.3f}   micro F1 {report['micro_f1']:.3f}   (p >= 0.5 per label)")
    print(
        f"at thresholds (target precision {args.target_precision}): coverage {at['coverage']:.1%} at precision "
        f"{at['precision']:.1%}; match {at['match']:.1%} mismatch {at['mismatch']:.1%} abstain {at['abstain']:.1%} "
        f"no label {at['no_existing']:.1%}"
    )
    never = sum(1 for v in meta["thresholds"].values() if v is None)
    print(f"labels that never reach the target on held-out data (never auto-applied): {never} of {len(meta['labels'])}")
    print("top label kept by calibrated confidence:")
    print_curve(report["coverage_curve"])
    print(
        f"train {timed['train_s']:.2f} s (incl. inner CV), predict {timed['predict_ms_per_issue']:.2f} ms/issue batched, "
        f"suggest() {timed['suggest_ms']:.1f} ms for one issue; peak {run['peak_mb']:.0f} MB traced, "
        f"process RSS {max_rss_mb():.0f} MB; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)"
    )
    write_json(
        args.json,
        {
            "data": tag,
            **metrics,
            "macro_f1": report["macro_f1"],
            "micro_f1": report["micro_f1"],
            "at_thresholds": at,
            "train_s": timed["train_s"],
            "peak_mb": run["peak_mb"],
        },
    )


if __name__ == "__main__":
    main()

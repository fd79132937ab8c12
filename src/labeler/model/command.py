"""`labeler model train|eval`: the offline classifier on the repository's own labelled issues.

train: JSONL (dataset.py format) -> model directory (predict.py documents it).
eval:  model directory + JSONL -> table on stdout, JSON report, job summary; optional gate.
Both need the optional extra: pip install 'labeler[local]'.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from typing import Any

import click

from labeler import options, runner
from labeler.errors import UserError, setting
from labeler.examples import Example, read_jsonl, select_labels


def split_records(rows: list[Example], wanted: str) -> list[Example]:
    """Rows of one split when the file carries splits (an `issues.jsonl` export), else all rows."""
    if any(e.split for e in rows):
        return [e for e in rows if e.split == wanted]
    return rows


def _share_value(raw: str) -> float | None:
    if raw.strip().lower() == "auto":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise UserError(f"--embed-share must be a number from 0 to 1 or 'auto', got {raw!r}") from None
    if not 0 <= value <= 1:
        raise UserError(f"--embed-share must be from 0 to 1, got {raw!r}")
    return value


def _c_value(raw: str) -> float | None:
    if raw.strip().lower() == "auto":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise UserError(f"--C must be a positive number or 'auto', got {raw!r}") from None
    if value <= 0:
        raise UserError(f"--C must be positive, got {raw!r}")
    return value


@click.group("model")
def command() -> None:
    """Train and evaluate the offline classifier (needs labeler[local])."""


@command.command("train")
@click.option(
    "--data",
    required=True,
    envvar="LABELER_TRAIN_DATA",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Training JSONL. With a split field and no --val, split=train trains and split=val calibrates.",
)
@click.option(
    "--val",
    envvar="LABELER_VAL_DATA",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Validation JSONL for the thresholds; default: cross-validation.",
)
@click.option("--out", required=True, envvar="LABELER_MODEL_PATH", show_envvar=True, help="Model directory to write.")
@options.target_precision("Per-label thresholds reach this precision.", lowest=0.05)
@click.option(
    "--C",
    "c_value",
    default="10",
    show_default=True,
    envvar="LABELER_MODEL_C",
    show_envvar=True,
    help="Inverse regularisation of the logistic regression, or 'auto' to pick by cross-validation.",
)
@click.option(
    "--class-weight",
    type=click.Choice(["balanced", "none"]),
    default="balanced",
    show_default=True,
    envvar="LABELER_CLASS_WEIGHT",
    show_envvar=True,
    help="Weigh rare labels up.",
)
@options.family()
@options.min_examples("Drop labels with fewer training issues.", 2)
@options.exclude_label(
    "Skip issues with this label, e.g. the bot's provenance label (repeatable; space-separated in the env var)."
)
@click.option(
    "--conservative",
    is_flag=True,
    envvar="LABELER_CONSERVATIVE",
    show_envvar=True,
    help="Estimate precision by its Wilson lower bound: fewer labels, rarely below target.",
)
@click.option(
    "--encoder",
    envvar="LABELER_ENCODER",
    show_envvar=True,
    help="Add sentence embeddings (needs labeler[embed]): a Hugging Face id such as "
    "sentence-transformers/all-MiniLM-L6-v2 (pinned revision; id@rev for others) or a local folder "
    "with config.json, tokenizer.json, onnx/model.onnx. Default: TF-IDF only, nothing is downloaded.",
)
@click.option(
    "--embed-share",
    default="auto",
    show_default=True,
    envvar="LABELER_EMBED_SHARE",
    show_envvar=True,
    help="With --encoder: the sentence-embedding model's share of the averaged probabilities, or 'auto' "
    "to choose it on held-out scores of the training data.",
)
@options.embed_cache(
    "Folder remembering embeddings by text hash and encoder, so a retrain embeds only new issues ('' disables).",
    ".labeler/embeddings",
)
def train_command(
    data: str,
    val: str | None,
    out: str,
    target_precision: float,
    c_value: str,
    class_weight: str,
    family: str | None,
    min_examples: int,
    exclude_label: Sequence[str],
    conservative: bool,
    encoder: str | None,
    embed_share: str,
    embed_cache: str,
) -> None:
    """Train on labelled issues; thresholds are set on held-out data to reach the target precision."""
    from labeler.model import train

    rows = read_jsonl(data)
    tr = split_records(rows, "train")
    va = read_jsonl(val) if val else [e for e in rows if e.split == "val"]
    tr = select_labels(tr, family=family, exclude=exclude_label).examples
    va = select_labels(va, family=family, exclude=exclude_label).examples
    params = train.Params(
        C=_c_value(c_value),
        class_weight=None if class_weight == "none" else class_weight,
        target_precision=target_precision,
        min_examples=min_examples,
        z=1.0 if conservative else 0.0,
        embed_share=_share_value(embed_share),
    )
    embedder, recorded = _embedder(encoder, embed_cache)
    with runner.timed(f"model train ({len(tr)} train, {len(va)} val issues)"):
        trained = train.train(tr, va, params, embedder=embedder)
        trained.meta["encoder"] = recorded
        train.save(trained, out, encoder=recorded)
    click.echo(render_training(trained.meta, out))
    runner.summary(f"### Offline model trained\n\n```\n{render_training(trained.meta, out)}\n```\n")
    runner.set_output("model-path", out)


def _embedder(name: str | None, cache_dir: str) -> tuple[Any, dict[str, Any] | None]:
    """(texts -> vectors, what meta.json records) for --encoder; (None, None) without one."""
    if not name:
        return None, None
    from labeler.model import encoder

    spec = encoder.spec_from(name)
    found = encoder.load(spec)
    cache = encoder.Cache(cache_dir or None, found)
    recorded = {**spec.describe(), "ident": found.ident, "dim": found.dim, "sha256": getattr(found, "sha256", None)}
    return cache.encode, recorded


def _encoder_line(recorded: dict[str, Any] | None) -> str:
    if not recorded:
        return "none (TF-IDF only)"
    revision = f"@{recorded['revision']}" if recorded.get("revision") else ""
    return f"{recorded['name']}{revision} ({recorded['ident']})"


def _share_line(meta: dict[str, Any]) -> str:
    params = meta["params"]
    if not params.get("embedded"):
        return ""
    how = "chosen by held-out log loss" if params.get("embed_share_log_loss") else "fixed"
    return f"; sentence-embedding model's share {params['embed_share']:.1f} ({how})"


def render_training(meta: dict[str, Any], out: str) -> str:
    counts = meta["counts"]
    lines = [
        f"model: {out}  ({meta['mode']}-label, {len(meta['labels'])} labels, {counts['train']} train / "
        f"{counts['val']} val issues, C={meta['params']['C']}, {meta['train_seconds']} s)",
        f"calibration: {meta['calibration']}; held-out macro F1 {meta['heldout_macro_f1']:.3f}",
        f"encoder: {_encoder_line(meta.get('encoder'))}; embedding {meta.get('embed_seconds', 0)} s"
        + _share_line(meta),
        f"thresholds for precision {meta['target_precision']}:",
    ]
    for lbl in meta["labels"]:
        thr = meta["thresholds"][lbl]
        shown = "never (target not reached)" if thr is None else f"{thr:.3f}"
        lines.append(f"  {lbl}: {shown}  ({counts['per_label'].get(lbl, 0)} issues)")
    if counts["dropped_labels"]:
        lines.append(
            "dropped (too few issues): " + ", ".join(f"{k} ({v})" for k, v in counts["dropped_labels"].items())
        )
    return "\n".join(lines)


@command.command("eval")
@click.option(
    "--model-dir",
    "model_path",
    envvar="LABELER_MODEL_PATH",
    show_envvar=True,
    help="Model directory (from `labeler model train`); required.",
)
@click.option("--model", "old_model_path", hidden=True, help="Deprecated name of --model-dir.")
@click.option(
    "--data",
    required=True,
    envvar="LABELER_TEST_DATA",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Labelled JSONL; with a split field only split=test is used.",
)
@click.option(
    "--json",
    "json_path",
    envvar="LABELER_REPORT",
    show_envvar=True,
    help="Write the report here; default reports/eval_<timestamp>.json.",
)
@click.option(
    "--min-macro-f1",
    type=click.FloatRange(0, 1),
    envvar="LABELER_MIN_MACRO_F1",
    show_envvar=True,
    help="Exit 1 when macro F1 is lower (a promotion gate).",
)
def eval_command(
    model_path: str | None, old_model_path: str | None, data: str, json_path: str | None, min_macro_f1: float | None
) -> None:
    """Measure a model on labelled issues it has not seen (never its training file)."""
    if old_model_path:  # `--model` meant a directory here and a model name everywhere else
        click.echo("warning: `model eval --model DIR` is deprecated: use --model-dir DIR", err=True)
    model_path = model_path or old_model_path
    if not model_path:
        raise click.UsageError("Missing option '--model-dir'.")
    from labeler.model import evaluate, predict

    predictor = predict.load(model_path)
    rows = split_records(read_jsonl(data), "test")
    if not rows:
        raise UserError("no records with split=test in the data file", file=data)
    with runner.timed(f"model eval ({len(rows)} issues)"):
        report = {**evaluate.evaluate(predictor, rows), "data": data, "model_path": model_path}
    path = json_path or os.path.join("reports", f"eval_{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, sort_keys=True)
    text = evaluate.render(report)
    click.echo(f"{text}\n\nreport: {path}")
    runner.summary(f"### Offline model evaluation\n\n{evaluate.summary_markdown(report)}\n\n```\n{text}\n```\n")
    runner.set_output("report", path)
    runner.set_output("macro-f1", f"{report['macro_f1']:.4f}")
    if min_macro_f1 is not None and report["macro_f1"] < min_macro_f1:
        raise UserError(
            f"macro F1 {report['macro_f1']:.3f} is below {min_macro_f1}, the minimum set by "
            + setting("--min-macro-f1", "min-macro-f1", "LABELER_MIN_MACRO_F1")
        )


@command.command("check-cache")
@options.embed_cache("Embedding cache folder of `model train --encoder` to check.")
@click.option(
    "--hf-home", envvar="HF_HOME", show_envvar=True, help="Hugging Face home (hub cache under hub/) to check."
)
def check_cache_command(embed_cache: str | None, hf_home: str | None) -> None:
    """Validate the embedding and hub caches before a workflow saves them; bad files are moved aside."""
    from labeler.model import cache_check

    if embed_cache:
        cache_check.check_embed_cache(embed_cache)
    if hf_home:
        cache_check.check_hub_cache(hf_home)

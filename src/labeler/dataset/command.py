"""`labeler dataset export`: the history file -> labelled JSONL splits, fine-tuning files, a card.

The JSONL format is the one `labeler model train|eval` read (labeler/examples.py documents it).
"""

from __future__ import annotations

import click

from labeler import options, runner
from labeler.dataset import export as dataset
from labeler.errors import UserError
from labeler.history import store as history


def parse_fractions(raw: str) -> tuple[float, float, float]:
    try:
        parts = tuple(float(x) for x in raw.split(","))
    except ValueError:
        raise UserError(f"--fractions must be three numbers like 0.8,0.1,0.1, got {raw!r}") from None
    if len(parts) != 3:
        raise UserError(f"--fractions must be three numbers (train,val,test), got {raw!r}")
    return parts[0], parts[1], parts[2]


@click.group("dataset")
def command() -> None:
    """Export labelled datasets from the issue history."""


@command.command("export")
@options.history_db("History file from `labeler history sync`.")
@click.option("--out", required=True, envvar="LABELER_DATASET_DIR", show_envvar=True, help="Directory to write.")
@options.family()
@options.min_examples("Drop labels on fewer issues.", 5)
@options.exclude_label("Leave out issues with this label, e.g. the bot's provenance label (repeatable).")
@click.option(
    "--split",
    "method",
    type=click.Choice(["stratified", "time"]),
    default="stratified",
    show_default=True,
    envvar="LABELER_SPLIT",
    show_envvar=True,
    help="stratified by label, or time (oldest train, newest test).",
)
@click.option(
    "--fractions",
    default="0.8,0.1,0.1",
    show_default=True,
    envvar="LABELER_SPLIT_FRACTIONS",
    show_envvar=True,
    help="train,val,test shares.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the stratified split.")
@click.option("--keep-unlabelled", is_flag=True, help="Keep issues without a selected label (as negatives).")
@click.option(
    "--needs-info-label",
    default="needs more info",
    show_default=True,
    envvar="LABELER_MISSING_INFO_LABEL",
    show_envvar=True,
    help="Label for the qualitizer files; empty: none.",
)
@options.bot_login(
    "Whose label events are the bot's: marks issues people corrected (needs `history sync --label-events`)."
)
@click.option(
    "--max-chars",
    default=4000,
    show_default=True,
    type=click.IntRange(200),
    help="Issue body cut in the fine-tuning files.",
)
def export_command(
    db: str,
    out: str,
    family: str | None,
    min_examples: int,
    exclude_label: tuple[str, ...],
    method: str,
    fractions: str,
    seed: int,
    keep_unlabelled: bool,
    needs_info_label: str,
    max_chars: int,
    bot_login: str,
) -> None:
    """Write issues.jsonl, train/val/test.jsonl, finetune/*.jsonl and a dataset card (README.md)."""
    conn = history.connect(db, create=False)
    repo = history.get_meta(conn, "repo") or "unknown/unknown"
    examples = dataset.from_history(
        history.load(conn), repo, history.load_events(conn), bot_login=bot_login, ignore=exclude_label
    )
    conn.close()
    options = dataset.ExportOptions(
        family=family,
        min_examples=min_examples,
        exclude=exclude_label,
        method=method,
        fractions=parse_fractions(fractions),
        seed=seed,
        keep_unlabelled=keep_unlabelled,
        needs_info_label=needs_info_label or None,
        max_chars=max_chars,
    )
    with runner.timed(f"dataset export ({len(examples)} issues)"):
        result = dataset.export(examples, out, options, title=f"{repo} issues")
    lines = [f"{name}: {n}" for name, n in result.files.items()]
    click.echo("\n".join([f"exported {result.files['issues.jsonl']} issues of {repo} to {out}", *lines]))
    if result.dropped:
        click.echo("dropped labels (too few issues): " + ", ".join(f"{k} ({v})" for k, v in result.dropped.items()))
    runner.summary(
        f"### Dataset export\n\n{result.files['issues.jsonl']} issues of {repo}; "
        f"{len(result.counts)} labels; card: `{out}/README.md`\n"
    )
    runner.set_output("dir", out)

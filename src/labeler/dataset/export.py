"""Labelled-issue datasets: splits, a dataset card and fine-tuning files (format: labeler.examples).

Interfaces:
    assign_splits(examples, *, fractions=(0.8, 0.1, 0.1), method="stratified", seed=0) -> list[Example]
    from_history(stored_issues, repo, events=None, *, bot_login, ignore) -> list[Example]
    export(examples, out_dir, ExportOptions(...)) -> ExportResult   (files + dataset card; see export())
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from labeler.errors import UserError
from labeler.examples import SPLITS, Example, select_labels, write_jsonl
from labeler.history import corrections as fates

# splits ----------------------------------------------------------------------------------------


def _rank(seed: int, ident: str) -> str:
    return hashlib.sha256(f"{seed}:{ident}".encode()).hexdigest()


def _sizes(n: int, fractions: tuple[float, float, float]) -> tuple[int, int, int]:
    """Counts for train/val/test: train first for tiny groups, then test, then val."""
    n_test = round(n * fractions[2])
    n_val = round(n * fractions[1])
    if n >= 3:
        n_test, n_val = max(n_test, 1 if fractions[2] else 0), max(n_val, 1 if fractions[1] else 0)
    elif n == 2:
        n_test, n_val = (1 if fractions[2] else 0), 0
    else:
        n_test = n_val = 0
    n_val = min(n_val, max(0, n - 1 - n_test))
    return n - n_val - n_test, n_val, n_test


def assign_splits(
    examples: Sequence[Example],
    *,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    method: str = "stratified",
    seed: int = 0,
) -> list[Example]:
    """Give every example exactly one split.

    stratified: grouped by the example's rarest label, so every label lands in each split when it
    has >= 3 issues; deterministic for a seed. time: the oldest issues train, the newest test
    (labeling.md §7: the honest setting for "how will it do on the next issues").
    """
    if abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) < 0:
        raise UserError(f"split fractions must be >= 0 and add up to 1, got {fractions}")
    if method == "time":
        ordered = sorted(examples, key=lambda e: (e.created_at or "", e.id))
        return _cut(ordered, fractions)
    if method != "stratified":
        raise UserError(f"unknown split method {method!r} (stratified or time)")
    totals = Counter(lbl for e in examples for lbl in e.labels)
    groups: dict[str, list[Example]] = {}
    for e in examples:
        key = min(e.labels, key=lambda lbl: (totals[lbl], lbl)) if e.labels else ""
        groups.setdefault(key, []).append(e)
    out: list[Example] = []
    for key in sorted(groups):
        out += _cut(sorted(groups[key], key=lambda e: _rank(seed, e.id)), fractions)
    return out


def _cut(ordered: list[Example], fractions: tuple[float, float, float]) -> list[Example]:
    n_train, n_val, _ = _sizes(len(ordered), fractions)
    names = ["train"] * n_train + ["val"] * n_val + ["test"] * (len(ordered) - n_train - n_val)
    return [dataclasses.replace(e, split=name) for e, name in zip(ordered, names)]


def split_counts(examples: Sequence[Example]) -> dict[str, dict[str, int]]:
    """label -> split -> count (plus '(no label)' for issues without a kept label)."""
    table: dict[str, dict[str, int]] = {}
    for e in examples:
        for lbl in e.labels or ("(no label)",):
            row = table.setdefault(lbl, dict.fromkeys(SPLITS, 0))
            row[e.split or "train"] += 1
    return dict(sorted(table.items()))


# export from the history file --------------------------------------------------------------------


@dataclass(frozen=True)
class ExportOptions:
    family: str | None = None
    min_examples: int = 1
    exclude: tuple[str, ...] = ()  # e.g. the bot's provenance label: never learn our own guesses
    keep_corrected: bool = True  # ...except where a person corrected them: those labels are theirs
    method: str = "stratified"
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    seed: int = 0
    keep_unlabelled: bool = False  # categorizer files keep issues without a kept label
    needs_info_label: str | None = "needs more info"
    max_chars: int = 4_000  # body cut in fine-tuning files (grafana capped total tokens)


def from_history(
    issues: Sequence[Any],
    repo: str,
    events: dict[int, list[fates.LabelEvent]] | None = None,
    *,
    bot_login: str = "github-actions[bot]",
    ignore: Sequence[str] = (),
) -> list[Example]:
    """Examples with the labels the issues carry now (the maintainers' final word). With the stored
    label events, an issue the bot labelled also records `bot_labels` (what it applied) and, when a
    person removed or replaced one, `corrected: true` and `bot_removed` (the labels taken off)."""
    found = fates.outcomes_by_issue(events or {}, bot_login, ignore=ignore)
    return [
        Example(
            id=f"{repo}#{i.number}",
            title=i.title,
            body=i.body,
            labels=tuple(i.labels),
            created_at=i.created_at,
            source=f"github:{repo}",
            extra={
                "number": i.number,
                "state": i.state,
                "state_reason": i.state_reason,
                "url": i.html_url,
                **correction_fields(found.get(i.number, [])),
            },
        )
        for i in issues
    ]


def correction_fields(outs: Sequence[fates.Outcome]) -> dict[str, Any]:
    if not outs:
        return {}
    removed = sorted(o.label for o in outs if o.fate != fates.KEPT)
    fields: dict[str, Any] = {"bot_labels": sorted(o.label for o in outs), "corrected": bool(removed)}
    if removed:
        fields["bot_removed"] = removed
    return fields


def is_corrected(e: Example) -> bool:
    return bool(e.extra.get("corrected"))


def categorizer_record(e: Example, labels: Sequence[str], max_chars: int) -> dict[str, Any]:
    """OpenAI chat fine-tuning line: system (allowed labels), user (the issue), assistant (minified JSON)."""
    system = (
        "You label GitHub issues. Choose zero or more labels, only from this list: "
        + ", ".join(labels)
        + '. Answer with JSON: {"labels": [...]}'
    )
    answer = json.dumps({"labels": sorted(e.labels)}, separators=(",", ":"), ensure_ascii=False)
    return {
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": f"Title: {e.title}\n\n{e.body[:max_chars]}"},
            {"role": "assistant", "content": answer},
        ]
    }


def qualitizer_record(e: Example, needs_info_label: str, max_chars: int) -> dict[str, Any]:
    """Same prompt as `labeler missing-info --method llm`, so a fine-tuned model drops in."""
    from labeler.missing_info import checks as missing_info

    kind = missing_info.kind_of(e.labels)
    system, user = missing_info.build_prompt(e.title, e.body[:max_chars], kind=kind)
    incomplete = needs_info_label in e.labels
    rules = missing_info.check(e.title, e.body, kind=kind)
    missing = (rules.missing or ["more detail to reproduce or understand the problem"]) if incomplete else []
    remarks = "A maintainer asked for more information." if incomplete else "A maintainer could act on it."
    answer = json.dumps(
        {"complete": not incomplete, "missing": missing, "remarks": remarks}, separators=(",", ":"), ensure_ascii=False
    )
    return {
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
            {"role": "assistant", "content": answer},
        ]
    }


def qualitizer_pool(examples: Sequence[Example], needs_info_label: str) -> list[Example]:
    """Positives: issues with the label. Negatives: issues a maintainer could act on (closed as
    completed, or triaged with another label); untriaged open issues are neither."""
    return [
        e for e in examples if needs_info_label in e.labels or e.extra.get("state_reason") == "completed" or e.labels
    ]


@dataclass(frozen=True)
class ExportResult:
    files: dict[str, int]  # relative path -> records written
    counts: dict[str, dict[str, int]]  # label -> split -> count
    dropped: dict[str, int]


def export(
    issues: Sequence[Example], out_dir: str, options: ExportOptions = ExportOptions(), *, title: str = "issues"
) -> ExportResult:
    """Write issues.jsonl, {train,val,test}.jsonl, finetune/*.jsonl and README.md (dataset card)."""
    if not issues:
        raise UserError("no issues to export (run `labeler history sync` first?)")
    every = _kept(issues, options)
    selection = select_labels(every, family=options.family, min_examples=options.min_examples)
    split_all = assign_splits(selection.examples, fractions=options.fractions, method=options.method, seed=options.seed)
    originals = {e.id: e for e in every}
    rows = [e for e in split_all if e.labels or options.keep_unlabelled]
    if not rows:
        raise UserError("no issue has a label that passes --family/--min-examples")
    files = _write_splits(out_dir, rows)
    files.update(
        _finetune(out_dir, "categorizer", rows, lambda e: categorizer_record(e, selection.labels, options.max_chars))
    )
    label = options.needs_info_label
    if label and any(label in e.labels for e in every):
        full = [dataclasses.replace(originals[e.id], split=e.split) for e in split_all]
        files.update(
            _finetune(
                out_dir,
                "qualitizer",
                qualitizer_pool(full, label),
                lambda e: qualitizer_record(e, label, options.max_chars),
            )
        )
    counts = split_counts(rows)
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(
            card(
                title,
                options,
                counts,
                selection.dropped,
                files,
                len(every),
                corrected=sum(is_corrected(e) for e in rows),
            )
        )
    return ExportResult(files=files, counts=counts, dropped=selection.dropped)


def _kept(issues: Sequence[Example], options: ExportOptions) -> list[Example]:
    """Issues with an excluded label leave, unless a person corrected them and --keep-corrected asks to keep
    them (without the excluded labels)."""
    drop = set(options.exclude)
    return [
        e if not set(e.labels) & drop else dataclasses.replace(e, labels=tuple(x for x in e.labels if x not in drop))
        for e in issues
        if not set(e.labels) & drop or (options.keep_corrected and is_corrected(e))
    ]


def _write_splits(out_dir: str, rows: Sequence[Example]) -> dict[str, int]:
    os.makedirs(os.path.join(out_dir, "finetune"), exist_ok=True)
    files = {"issues.jsonl": write_jsonl(os.path.join(out_dir, "issues.jsonl"), rows)}
    for split in SPLITS:
        files[f"{split}.jsonl"] = write_jsonl(
            os.path.join(out_dir, f"{split}.jsonl"), [e for e in rows if e.split == split]
        )
    return files


def _finetune(
    out_dir: str, name: str, rows: Sequence[Example], record: Callable[[Example], dict[str, Any]]
) -> dict[str, int]:
    """train and val files only: the test split never goes to a fine-tuning service."""
    return {
        f"finetune/{name}.{split}.jsonl": write_jsonl(
            os.path.join(out_dir, "finetune", f"{name}.{split}.jsonl"), (record(e) for e in rows if e.split == split)
        )
        for split in ("train", "val")
    }


def card(
    title: str,
    options: ExportOptions,
    counts: dict[str, dict[str, int]],
    dropped: dict[str, int],
    files: dict[str, int],
    considered: int,
    *,
    corrected: int = 0,
) -> str:
    import datetime as dt

    from labeler import __version__

    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Dataset card: {title}",
        "",
        f"Exported by labeler {__version__} on {when} from {considered} issues.",
        "",
        "## Selection",
        "",
        f"- label family: `{options.family or 'all labels'}`; "
        f"labels with fewer than {options.min_examples} issues dropped",
        f"- issues with these labels left out entirely: {', '.join(options.exclude) or '(none)'}"
        + (" (except issues a person corrected)" if options.keep_corrected and options.exclude else ""),
        f"- issues where a person removed or replaced a label the bot applied: {corrected} "
        "(`corrected: true`, the bot's labels in `bot_labels`, the ones taken off in `bot_removed`)",
        f"- split: {options.method}, train/val/test = {options.fractions}, seed {options.seed}; "
        "every issue is in exactly one split",
        f"- dropped labels: {', '.join(f'{k} ({v})' for k, v in dropped.items()) or '(none)'}",
        "",
        "## Counts per label and split",
        "",
        "| label | train | val | test | total |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, row in counts.items():
        lines.append(
            f"| {label.replace('|', '/')} | {row['train']} | {row['val']} | {row['test']} | {sum(row.values())} |"
        )
    lines += ["", "## Files", "", *[f"- `{name}`: {n} records" for name, n in files.items()], "", *CAVEATS]
    return "\n".join(lines)


CAVEATS = (
    "## Caveats",
    "",
    "- Issue text is written by third parties: use it to evaluate and train for this repository; "
    "check the licence before sharing it.",
    "- Labels record maintainers' habits, including mistakes and labels added long after the issue.",
    "- Fine-tuning files hold train and val only; the test split is for `labeler model eval`.",
    "",
)
